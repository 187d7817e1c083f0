"""Webhook ingest throughput: signed POSTs against ``serve`` on loopback.

Starts ``python -m wabot_desktop serve`` (synchronous=FULL, WAL) with a fake Graph API, then
posts unique signed text webhooks at concurrency 1, 16 and 64 and checks every message was
stored exactly once. The bot is paused so the figures are the ingest path alone (HTTP, HMAC,
parsing, one group commit), which is what Meta's latency standard applies to.

Load comes from ``wrk`` (a C load generator, Debian package ``wrk``) when it is installed, fed
pre-signed unique bodies by a Lua script; otherwise from an aiohttp client in this process. On a
2-core machine the Python client competes with the server for CPU, so wrk measures the server,
the Python client measures both. The JSON says which one ran.

Last line: JSON with acks_per_s, p50_ms, p99_ms, lost for the concurrency-64 run, plus ``runs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.serve import ServeProcess, live_env, seed_settings, serve_args  # noqa: E402
from tests.fakes.graph import FakeGraph  # noqa: E402
from tests.helpers import message_body, signature_headers, text_message  # noqa: E402
from wabot_desktop.core.paths import AppPaths  # noqa: E402
from wabot_desktop.core.store.db import Database  # noqa: E402

LEVELS = ((1, 1000), (16, 3000), (64, 6000))
# The profile of every measured serve: the bot paused (the figure is ingest) and no debounce
# firing within a run.
INGEST_PROFILE = {"bot_paused": True, "debounce_quiet_s": 120.0, "debounce_max_s": 240.0}


def make_bodies(prefix: str, count: int) -> list[tuple[str, bytes, dict[str, str]]]:
    bodies = []
    for i in range(count):
        wamid = f"wamid.BENCH{prefix}{i:07d}"
        wa_id = f"5215500{i % 500:05d}"
        body = message_body(
            [text_message(f"Hola, pedido {i}", wa_id=wa_id, wamid=wamid)],
            wa_id=wa_id,
            name=f"Cliente {i % 500}",
        )
        bodies.append((wamid, body, signature_headers(body)))
    return bodies


async def run_level(
    url: str, concurrency: int, bodies: list[tuple[str, bytes, dict[str, str]]]
) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    queue: asyncio.Queue[tuple[str, bytes, dict[str, str]]] = asyncio.Queue()
    for item in bodies:
        queue.put_nowait(item)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal failures
            while True:
                try:
                    _, body, headers = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                async with session.post(url + "/webhook", data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        failures += 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "concurrency": concurrency,
        "requests": len(bodies),
        "acks_per_s": round(len(bodies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "non_200": failures,
    }


WRK_SCRIPT = r"""
local lines = {}
local index = 0
init = function(args)
  for line in io.lines(args[1]) do
    local tab = line:find("\t")
    lines[#lines + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
  end
end
request = function()
  index = index + 1
  local item = lines[((index - 1) % #lines) + 1]
  return wrk.format("POST", "/webhook", {
    ["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = item[1],
  }, item[2])
end
done = function(summary, latency, requests)
  io.write(string.format("WRKJSON {\"requests\": %d, \"non_2xx\": %d, \"errors\": %d, "
    .. "\"p50_us\": %d, \"p99_us\": %d, \"duration_us\": %d}\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
"""


def run_wrk(
    url: str,
    concurrency: int,
    bodies: list[tuple[str, bytes, dict[str, str]]],
    seconds: int,
    workdir: Path,
) -> dict[str, float]:
    data_file = workdir / f"bodies-{concurrency}.tsv"
    with data_file.open("wb") as handle:
        for _, body, headers in bodies:
            handle.write(headers["X-Hub-Signature-256"].encode() + b"\t" + body + b"\n")
    script = workdir / "ingest.lua"
    script.write_text(WRK_SCRIPT)
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
            "--",
            str(data_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"WRKJSON (\{.*\})", result.stdout)
    assert match, result.stdout + result.stderr
    stats = json.loads(match.group(1))
    return {
        "concurrency": concurrency,
        "requests": stats["requests"],
        "acks_per_s": round(stats["requests"] / (stats["duration_us"] / 1e6), 1),
        "p50_ms": round(stats["p50_us"] / 1000, 2),
        "p99_ms": round(stats["p99_us"] / 1000, 2),
        "non_200": stats["non_2xx"] + stats["errors"],
    }


def wait_parsed(data_dir: Path, timeout: float = 300.0) -> float:
    """Seconds until no acknowledged body waits for its parse (a burst is parsed after it is
    acknowledged, core/store/writer.py); 0 when none was pending (or an older schema)."""
    started = time.perf_counter()
    path = AppPaths.resolve(data_dir).db_path
    while True:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
            try:
                (pending,) = connection.execute("SELECT count(*) FROM pending_webhooks").fetchone()
            except sqlite3.OperationalError:  # a checkout before migration 0009
                pending = 0
        waited = time.perf_counter() - started
        if not pending:
            return round(waited, 2) if waited > 0.05 else 0.0
        if waited > timeout:
            raise TimeoutError(f"{pending} webhooks still unparsed after {timeout} s")
        time.sleep(0.05)


def stored_once(data_dir: Path, prefix: str) -> tuple[int, int]:
    """(messages stored, distinct wamids) for one run's bodies, once all are parsed."""
    db = Database(AppPaths.resolve(data_dir).db_path)
    try:
        with db.engine.connect() as connection:
            total, distinct = connection.exec_driver_sql(
                "SELECT count(*), count(DISTINCT wamid) FROM messages WHERE wamid LIKE ?",
                (f"wamid.BENCH{prefix}%",),
            ).one()
    finally:
        db.close()
    return int(total), int(distinct)


def main() -> None:
    results = []
    use_wrk = shutil.which("wrk") is not None
    print(
        "load generator:",
        "wrk" if use_wrk else "python aiohttp client (install wrk for server-only figures)",
    )
    with tempfile.TemporaryDirectory() as tmp, FakeGraph.in_thread() as graph:
        data = Path(tmp) / "data"
        seed_settings(data, **INGEST_PROFILE)
        server = ServeProcess(
            serve_args(data, graph.base_url, "http://127.0.0.1:9"), live_env()
        ).start()
        try:
            for concurrency, count in LEVELS:
                prefix = f"C{concurrency}X"
                if use_wrk:
                    # Enough unique bodies for the whole run: a repeat would be a duplicate.
                    bodies = make_bodies(prefix, 40000)
                    result = run_wrk(server.url, concurrency, bodies, 10, Path(tmp))
                    sent = min(int(result["requests"]), len(bodies))
                else:
                    bodies = make_bodies(prefix, count)
                    result = asyncio.run(run_level(server.url, concurrency, bodies))
                    sent = count
                result["parse_after_s"] = wait_parsed(data)
                total, distinct = stored_once(data, prefix)
                # wrk may count a request still in flight when the run ends as not done.
                result["lost"] = max(0, sent - distinct - int(result["non_200"]))
                result["duplicates"] = total - distinct
                results.append(result)
                print(
                    f"concurrency {concurrency:>2}: {result['acks_per_s']:>8} acks/s  "
                    f"p50 {result['p50_ms']:>6} ms  p99 {result['p99_ms']:>6} ms  "
                    f"lost {result['lost']}  non-200 {result['non_200']}  "
                    f"parsed +{result['parse_after_s']} s after the run"
                )
        finally:
            server.terminate()
    top = results[-1]
    print(
        json.dumps(
            {
                "acks_per_s": top["acks_per_s"],
                "p50_ms": top["p50_ms"],
                "p99_ms": top["p99_ms"],
                "lost": top["lost"],
                "load_generator": "wrk" if use_wrk else "aiohttp",
                "runs": results,
            }
        )
    )


if __name__ == "__main__":
    main()
