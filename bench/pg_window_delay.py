"""Delay from a webhook posted to ``serve`` instance A to the chat's row in a staff PC's window
(issue 16).

Two ``serve`` instances on one PostgreSQL database (a throw-away local cluster with its durable
defaults: fsync on, synchronous_commit on), the bot paused so only the event path is measured.
This process is the staff PC: the real desktop session in shop mode (``Session.connect_to_shop``)
and the real main window offscreen (qasync, the chat list's model). Each of N new customers sends
one message to instance A, one after the other; measured from just before the POST to:

* ``event``: the ``MessageReceived`` notification reaching the staff PC's hub (LISTEN/NOTIFY);
* ``row``: the chat's row inserted in the window's chat-list model (event -> bridge -> model ->
  the summary read from the database -> row).

Two runs: ``spaced`` (a pause of 0.2 s after each row, as customers write: the chat list's
batching window of 0.1 s is idle when a message arrives) and ``back_to_back`` (the next POST as
soon as the row showed: it lands inside that window and waits for the next batch, by design).

Figures are noisy on a shared machine. Usage: ``python bench/pg_window_delay.py [N]`` (default
300). Needs PostgreSQL (apt-get install postgresql). Last line: JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.e2e.serve import ServeProcess, live_env, serve_args  # noqa: E402
from tests.fakes.graph import FakeGraph  # noqa: E402
from tests.helpers import message_body, signature_headers, text_message  # noqa: E402
from tests.pg import _pg_bindir, _start_cluster, _stop_cluster  # noqa: E402
from wabot_desktop.core.events import Event, MessageReceived  # noqa: E402
from wabot_desktop.core.paths import AppPaths  # noqa: E402
from wabot_desktop.core.runtime import CoreConfig  # noqa: E402
from wabot_desktop.core.secrets import MemorySecretStore  # noqa: E402
from wabot_desktop.core.session import Session, ShopConnection  # noqa: E402
from wabot_desktop.core.settings import save_settings  # noqa: E402
from wabot_desktop.core.store.db import Database  # noqa: E402
from wabot_desktop.core.store.dialect import parse_database_url  # noqa: E402
from wabot_desktop.gui.app_session import AppSession  # noqa: E402
from wabot_desktop.gui.event_loop import new_event_loop  # noqa: E402

PAUSED = {"bot_paused": True, "debounce_quiet_s": 120.0, "debounce_max_s": 240.0}


def figures(delays: list[float]) -> dict[str, float]:
    if not delays:
        return {"n": 0}
    ordered = sorted(delays)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {
        "n": len(delays),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(ordered[-1], 2),
    }


async def measure(pg_url: str, url_a: str, work: Path, count: int) -> dict[str, object]:
    parsed = make_url(pg_url)
    shop = ShopConnection(
        host=str(parsed.host),
        port=int(parsed.port or 5432),
        database=str(parsed.database),
        user=str(parsed.username),
        tls=False,  # the throw-away cluster offers no TLS
    )
    config = CoreConfig(
        paths=AppPaths.resolve(work / "staff"),
        port=0,
        tunnel=False,
        settings_overrides={"close_to_tray_hint_shown": True},
    )
    session = Session(config, live_secrets=MemorySecretStore())
    app = AppSession(session)
    await session.connect_to_shop(shop, str(parsed.password))
    window = app.create_window(enable_tray=False)
    window.notifier.sound = False
    window.resize(1366, 768)
    window.show()
    window.start()
    staff = session.staff_core
    assert staff is not None and staff.shared_events is not None
    while not staff.shared_events.listening.is_set():
        await asyncio.sleep(0.05)
    model = window.monitor.chat_list.model
    event_at: list[float] = []
    row_at: list[float] = []
    arrived = asyncio.Event()

    def on_event(event: Event) -> None:
        if isinstance(event, MessageReceived):
            event_at.append(time.perf_counter())

    def on_rows(*_args: object) -> None:
        row_at.append(time.perf_counter())
        arrived.set()

    staff.hub.subscribe(on_event)
    model.rowsInserted.connect(on_rows)
    results: dict[str, object] = {"messages": count}
    serial = 0
    async with httpx.AsyncClient(timeout=10) as client:

        async def one() -> tuple[float, float | None] | None:
            nonlocal serial
            serial += 1
            wa_id = f"5215577{serial:05d}"
            body = message_body([text_message(f"hola {serial}", wa_id=wa_id)], wa_id=wa_id)
            event_at.clear()
            row_at.clear()
            arrived.clear()
            posted = time.perf_counter()
            answer = await client.post(
                url_a + "/webhook", content=body, headers=signature_headers(body)
            )
            assert answer.status_code == 200, answer.status_code
            try:
                await asyncio.wait_for(arrived.wait(), 10)
            except TimeoutError:
                return None
            event = (event_at[0] - posted) * 1000 if event_at else None
            return (row_at[0] - posted) * 1000, event

        for run, gap, n in (("spaced", 0.2, count), ("back_to_back", 0.0, max(1, count // 3))):
            rows: list[float] = []
            events: list[float] = []
            missed = 0
            for _ in range(n):
                got = await one()
                if got is None:
                    missed += 1
                else:
                    rows.append(got[0])
                    if got[1] is not None:
                        events.append(got[1])
                if gap:
                    await asyncio.sleep(gap)
            results[run] = {"missed": missed, "event": figures(events), "row": figures(rows)}
    app.close_window()
    await app.stop()
    return results


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    bindir = _pg_bindir()
    if bindir is None:
        sys.exit("needs PostgreSQL (apt-get install postgresql)")
    cluster, root = _start_cluster(bindir, durable=True)
    try:
        with tempfile.TemporaryDirectory() as tmp, FakeGraph.in_thread() as graph:
            work = Path(tmp)
            pg_url = cluster.create_database("window_delay")
            db = Database(work / "x.db", url=parse_database_url(pg_url))
            db.migrate()
            db.session_run_sync(lambda s: save_settings(s, **PAUSED))
            db.close()
            env = live_env(WABOT_DATABASE_URL=pg_url)
            ollama = "http://127.0.0.1:9"
            servers = [
                ServeProcess(serve_args(work / f"i{n}", graph.base_url, ollama), env).start()
                for n in range(2)
            ]
            try:
                app = QApplication(sys.argv[:1])
                app.setQuitOnLastWindowClosed(False)
                loop = new_event_loop(app)
                asyncio.set_event_loop(loop)
                with loop:
                    results = loop.run_until_complete(measure(pg_url, servers[0].url, work, count))
            finally:
                for server in servers:
                    server.terminate()
    finally:
        _stop_cluster(cluster, root)
    for run in ("spaced", "back_to_back"):
        found = results[run]
        assert isinstance(found, dict)
        print(f"webhook to instance A -> staff PC, {run} (missed {found['missed']}):")
        print(f"  NOTIFY event on the staff hub: {found['event']}")
        print(f"  row in the window's chat list: {found['row']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
