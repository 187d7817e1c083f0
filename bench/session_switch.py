"""Session: how long a run-time switch takes, and what the customers see meanwhile.

A live core (fake Graph API, fake Ollama, real SQLite, real webhook server on 127.0.0.1) gets a
steady stream of customer webhooks (``--rate`` per second, each from a new customer, re-sent
until answered 200 as Meta does). Meanwhile the session switches live -> practice -> live
``--rounds`` times and restores a backup once. Printed figures:

* ``switch_s``: ``Session.switch_mode`` wall time (stop the running core in order, start the
  other mode's), per direction, median and max;
* ``restore_s``: ``Session.restore_backup`` wall time (check the file, stop, restore, start);
* ``live_gap_s``: the longest time no webhook got a 200 (the window in which Meta re-delivers);
* ``lost`` / ``duplicates`` / ``unanswered``: acknowledged messages missing from the database,
  stored twice, or never answered (all must be 0).

The machine is shared with other agents: figures are noisy. Last line: JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.graph import FakeGraph  # noqa: E402
from tests.fakes.ollama import FakeOllama  # noqa: E402
from tests.helpers import FAST_SETTINGS, post, test_secrets, text_body  # noqa: E402
from wabot_desktop.core.paths import AppPaths  # noqa: E402
from wabot_desktop.core.runtime import CoreConfig  # noqa: E402
from wabot_desktop.core.session import Session, SessionMode  # noqa: E402


def _inbound(db_path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(
            "SELECT wamid, count(*) FROM messages WHERE direction = 'in' GROUP BY wamid"
        ).fetchall()
    return {str(w): int(n) for w, n in rows}


async def run(rate: float, rounds: int) -> dict[str, object]:
    async with FakeGraph() as graph, FakeOllama(reply="¡Hola! Abrimos de 9 a 19 h.") as ollama:
        with tempfile.TemporaryDirectory(prefix="wabot-bench-switch-") as tmp:
            paths = AppPaths.resolve(Path(tmp) / "data")
            config = CoreConfig(
                paths=paths,
                port=0,
                graph_url=graph.base_url,
                ollama_url=ollama.host,
                tunnel=False,
                settings_overrides=dict(FAST_SETTINGS),
            )
            session = Session(config, live_secrets=test_secrets())
            await session.start(SessionMode.LIVE)
            acked: list[str] = []
            attempts = 0
            ack_times: list[float] = []
            stop = asyncio.Event()

            async def customers() -> None:
                nonlocal attempts
                async with httpx.AsyncClient(timeout=5.0) as http:
                    index = 0
                    while not stop.is_set():
                        wamid = f"wamid.BENCH{index:06d}"
                        body = text_body("Hola", wa_id=f"1555800{index:05d}", wamid=wamid)
                        while not stop.is_set():
                            core = session.core
                            attempts += 1
                            if core is not None and not core.simulator and core.server is not None:
                                with contextlib.suppress(
                                    httpx.HTTPError, RuntimeError, AssertionError
                                ):
                                    response = await post(http, session.server_url, body)
                                    if response.status_code == 200:
                                        acked.append(wamid)
                                        ack_times.append(time.perf_counter())
                                        break
                            await asyncio.sleep(0.01)
                        index += 1
                        await asyncio.sleep(1.0 / rate)

            writer = asyncio.create_task(customers())
            switches: dict[str, list[float]] = {"to_practice": [], "to_live": []}
            await asyncio.sleep(1.0)
            for _ in range(rounds):
                for mode, name in (
                    (SessionMode.PRACTICE, "to_practice"),
                    (SessionMode.LIVE, "to_live"),
                ):
                    started = time.perf_counter()
                    await session.switch_mode(mode)
                    switches[name].append(time.perf_counter() - started)
                    await asyncio.sleep(0.5)
            await asyncio.sleep(1.0)
            stop.set()
            await writer
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                core = session.core
                answered = {m["to"].lstrip("+") for m in graph.sent_messages}
                idle = core is not None and core.engine is not None and not core.engine.busy
                if idle and len(answered) >= len(set(acked)):
                    break
                await asyncio.sleep(0.05)
            # Restore (no traffic: a restore replaces what arrived after the backup, by design).
            backup = Path(tmp) / "backup.zip"
            await session.create_backup(backup)
            started = time.perf_counter()
            await session.restore_backup(backup)
            restore_s = time.perf_counter() - started
            await session.stop()
            stored = _inbound(paths.db_path)
            answered_to = [m["to"].lstrip("+") for m in graph.sent_messages]
            wanted = {f"1555800{int(w[len('wamid.BENCH') :]):05d}" for w in acked}
            gaps = [b - a for a, b in zip(ack_times, ack_times[1:], strict=False)]
            return {
                "messages_acked": len(acked),
                "switch_s": {
                    name: {"median": round(statistics.median(v), 3), "max": round(max(v), 3)}
                    for name, v in switches.items()
                },
                "restore_s": round(restore_s, 3),
                "retries_while_switching": attempts - len(acked),
                "live_gap_s": round(max(gaps), 3) if gaps else None,
                "duplicates": sum(1 for n in stored.values() if n > 1),
                "answered_twice": len(answered_to) - len(set(answered_to)),
                "unanswered": len(wanted - set(answered_to)),
                "lost": len(set(acked) - set(stored)),
            }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="customer messages per second")
    parser.add_argument("--rounds", type=int, default=3, help="live -> practice -> live rounds")
    args = parser.parse_args()
    result = asyncio.run(run(args.rate, args.rounds))
    for key, value in result.items():
        print(f"{key}: {value}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
