"""Webhook ingest on PostgreSQL with one and two ``serve`` instances, next to SQLite (issue 16).

Same load as bench/webhook_ingest.py (unique signed text webhooks, bot paused, wrk at
concurrency 64 for 10 s; with two instances two wrk processes at 32 each, one per instance),
against: the profile's SQLite (synchronous=FULL, WAL); PostgreSQL with one instance; PostgreSQL
with two instances on the same database. The PostgreSQL server is a throw-away local cluster
with its durable defaults (fsync on, synchronous_commit on), started as in the tests.

Also the delay from a webhook's POST to instance A to the LISTEN/NOTIFY event reaching a
listener connected to the database (what a staff window would get), over 50 sequential posts.

Needs wrk and PostgreSQL (apt-get install wrk postgresql). Figures are noisy on a shared machine.
Last line: JSON.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.webhook_ingest import make_bodies, run_wrk  # noqa: E402
from tests.e2e.serve import ServeProcess, live_env, seed_settings, serve_args  # noqa: E402
from tests.fakes.graph import FakeGraph  # noqa: E402
from tests.helpers import message_body, signature_headers, text_message  # noqa: E402
from tests.pg import _pg_bindir, _start_cluster, _stop_cluster  # noqa: E402
from wabot_desktop.core.paths import AppPaths  # noqa: E402
from wabot_desktop.core.settings import save_settings  # noqa: E402
from wabot_desktop.core.store.db import Database  # noqa: E402
from wabot_desktop.core.store.dialect import parse_database_url  # noqa: E402
from wabot_desktop.core.store.notify import CHANNEL  # noqa: E402

PAUSED = {"bot_paused": True, "debounce_quiet_s": 120.0, "debounce_max_s": 240.0}
SECONDS = 10
CONCURRENCY = 64


def stored(db: Database, prefix: str) -> tuple[int, int]:
    with db.engine.connect() as connection:
        total, distinct = connection.execute(
            text("SELECT count(*), count(DISTINCT wamid) FROM messages WHERE wamid LIKE :p"),
            {"p": f"wamid.BENCH{prefix}%"},
        ).one()
    return int(total), int(distinct)


def load(urls: list[str], prefix: str, workdir: Path) -> dict[str, float]:
    per = CONCURRENCY // len(urls)
    bodies = [make_bodies(f"{prefix}I{n}X", 40000) for n in range(len(urls))]
    for n in range(len(urls)):
        (workdir / f"w{n}").mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        futures = [
            pool.submit(run_wrk, url, per, b, SECONDS, workdir / f"w{n}")
            for n, (url, b) in enumerate(zip(urls, bodies, strict=True))
        ]
        runs = [f.result() for f in futures]
    return {
        "acks_per_s": round(sum(r["acks_per_s"] for r in runs), 1),
        "p50_ms": max(r["p50_ms"] for r in runs),
        "p99_ms": max(r["p99_ms"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "non_200": sum(r["non_200"] for r in runs),
    }


def event_delay(url: str, pg_url: str) -> dict[str, float]:
    import psycopg

    conninfo = parse_database_url(pg_url).set(drivername="postgresql")
    got = threading.Event()
    got_at = [0.0]
    ready = threading.Event()
    stop = threading.Event()

    def listen() -> None:
        with psycopg.connect(
            conninfo.render_as_string(hide_password=False), autocommit=True
        ) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            ready.set()
            while not stop.is_set():
                for note in conn.notifies(timeout=0.2):
                    if '"MessageReceived"' in note.payload and not got.is_set():
                        got_at[0] = time.perf_counter()
                        got.set()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    ready.wait(10)
    delays = []
    with httpx.Client(timeout=10) as client:
        for i in range(50):
            wa_id = f"52155599{i:04d}"
            body = message_body([text_message(f"evento {i}", wa_id=wa_id)], wa_id=wa_id)
            got.clear()
            posted = time.perf_counter()  # from the POST (the event may beat the 200 back)
            client.post(url + "/webhook", content=body, headers=signature_headers(body))
            if got.wait(5):
                delays.append((got_at[0] - posted) * 1000)
    stop.set()
    thread.join(5)
    return {
        "events": len(delays),
        "p50_ms": round(statistics.median(delays), 2) if delays else -1,
        "max_ms": round(max(delays), 2) if delays else -1,
    }


def main() -> None:
    bindir = _pg_bindir()
    if bindir is None or shutil.which("wrk") is None:
        sys.exit("needs wrk and PostgreSQL (apt-get install wrk postgresql)")
    results: dict[str, object] = {}
    cluster, root = _start_cluster(bindir, durable=True)
    try:
        with tempfile.TemporaryDirectory() as tmp, FakeGraph.in_thread() as graph:
            work = Path(tmp)
            ollama = "http://127.0.0.1:9"
            # SQLite, one instance.
            data = work / "sqlite"
            seed_settings(data, **PAUSED)
            server = ServeProcess(serve_args(data, graph.base_url, ollama), live_env()).start()
            try:
                figures = load([server.url], "SQ", work)
            finally:
                server.terminate()
            db = Database(AppPaths.resolve(data).db_path)
            total, distinct = stored(db, "SQ")
            db.close()
            figures["lost"] = max(0, int(figures["requests"]) - distinct - int(figures["non_200"]))
            figures["duplicates"] = total - distinct
            results["sqlite_1"] = figures
            for instances in (1, 2):
                pg_url = cluster.create_database(f"bench{instances}")
                db = Database(work / "x.db", url=parse_database_url(pg_url))
                db.migrate()
                db.session_run_sync(lambda s: save_settings(s, **PAUSED))
                env = live_env(WABOT_DATABASE_URL=pg_url)
                servers = [
                    ServeProcess(
                        serve_args(work / f"pg{instances}-{n}", graph.base_url, ollama), env
                    ).start()
                    for n in range(instances)
                ]
                try:
                    figures = load([s.url for s in servers], f"PG{instances}", work)
                    if instances == 2:
                        results["event_delay_a_to_listener"] = event_delay(servers[0].url, pg_url)
                finally:
                    for s in servers:
                        s.terminate()
                total, distinct = stored(db, f"PG{instances}")
                db.close()
                figures["lost"] = max(
                    0, int(figures["requests"]) - distinct - int(figures["non_200"])
                )
                figures["duplicates"] = total - distinct
                results[f"postgresql_{instances}"] = figures
    finally:
        _stop_cluster(cluster, root)
    for name, figures in results.items():
        print(f"{name:>28}: {figures}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
