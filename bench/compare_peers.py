"""Ours vs the seed's design, side by side in one run, same load generator and bodies.

* seed: bench/peers/seed_flask.py under gunicorn, 4 sync workers (HMAC check, nothing stored);
* ours: ``python -m wabot_desktop serve`` as bench/webhook_ingest.py starts it (bot paused, so
  the figure is ingest: HMAC over the raw bytes, SQLite commit with synchronous=FULL, then 200).

Both servers stay up for the whole run; wrk (Debian package ``wrk``) hits them alternately at
concurrency 64 and 1, ``--rounds`` times, each run with fresh unique signed text bodies (a repeat
would be a duplicate for ours). For ours every run is checked in the database: lost 0 and
duplicates 0 are part of the figure. Prints acks/s, p50, p99, errors per run, then the median per
server and level and the ratio ours/seed. The machine is shared and loaded: figures are noisy,
which is why the runs alternate. Needs the ``bench`` extra (flask, gunicorn).

``--baseline DIR`` also runs ``serve`` from another checkout of this repository (for example
``git worktree add /tmp/base main``) as a third server, "base", in the same alternation, so a
before/after of our own path and the seed are measured in one sitting. Each round also times
fsync'd SQLite commits (WAL, synchronous=FULL) on the same disk: at concurrency 1 our p50 is
that commit plus the Python path, the seed stores nothing, so the commit is printed beside it.

``--variant NAME:KEY=VALUE[,KEY=VALUE]`` (repeatable) runs one more ``serve`` from this checkout
with those environment variables, e.g. ``--variant hop:WABOT_INGEST_INLINE=0`` (every commit on
the DB thread) or ``--variant mainloop:WABOT_SERVER_THREAD=0`` (the server on the main loop).

Last line: JSON with the medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.webhook_ingest import (  # noqa: E402
    INGEST_PROFILE,
    make_bodies,
    run_wrk,
    stored_once,
    wait_parsed,
)
from tests.e2e.serve import ServeProcess, live_env, seed_settings, serve_args  # noqa: E402
from tests.fakes.graph import FakeGraph  # noqa: E402
from tests.helpers import APP_SECRET  # noqa: E402

LEVELS = (64, 1)
# Unique bodies per run: more than either server acks in one run on this machine.
BODIES = {64: 40000, 1: 12000}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_seed(port: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = dict(os.environ, WABOT_BENCH_SECRET=APP_SECRET)
    proc = subprocess.Popen(
        [
            str(gunicorn) if gunicorn.exists() else "gunicorn",
            "-w",
            "4",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench.peers.seed_flask:app",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("gunicorn did not start")
    time.sleep(1.0)  # let all four workers boot
    return proc


def commit_p50_ms(workdir: Path, count: int = 200) -> float:
    """Median time of a one-row SQLite commit (WAL, synchronous=FULL) on ``workdir``'s disk."""
    path = workdir / "fsync-probe.db"
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE IF NOT EXISTS t (x BLOB)")
        times = []
        for _ in range(count):
            started = time.perf_counter()
            connection.execute("BEGIN")
            connection.execute("INSERT INTO t VALUES (?)", (os.urandom(512),))
            connection.execute("COMMIT")
            times.append(time.perf_counter() - started)
    finally:
        connection.close()
    return round(statistics.median(times) * 1000, 3)


def start_baseline(checkout: Path, data: Path, graph_url: str) -> ServeProcess:
    """``serve`` from another checkout: its sources come first on the path (cwd and PYTHONPATH).

    Its profile is made by its own code too, so its schema is its own revision (a profile this
    checkout migrated may be newer than the other checkout knows, which it rightly refuses)."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys; from pathlib import Path; from tests.e2e.serve import seed_settings; "
            "seed_settings(Path(sys.argv[1]), **json.loads(sys.argv[2]))",
            str(data),
            json.dumps(INGEST_PROFILE),
        ],
        cwd=checkout,
        env=live_env(PYTHONPATH=str(checkout)),
        check=True,
    )
    here = Path.cwd()
    os.chdir(checkout)  # ``python -m`` puts the working directory first on sys.path
    try:
        return ServeProcess(
            serve_args(data, graph_url, "http://127.0.0.1:9"),
            live_env(PYTHONPATH=str(checkout)),
        ).start()
    finally:
        os.chdir(here)


def line(name: str, result: dict[str, float]) -> str:
    extra = ""
    if "lost" in result:
        extra = f"  lost {result['lost']}  dup {result['duplicates']}"
        if result.get("parse_after_s"):
            extra += f"  parsed +{result['parse_after_s']} s"
    return (
        f"{name:<5} c={result['concurrency']:<3} {result['acks_per_s']:>8} acks/s  "
        f"p50 {result['p50_ms']:>6} ms  p99 {result['p99_ms']:>6} ms  "
        f"errors {result['non_200']}{extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to run as 'base'")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="NAME:KEY=VALUE[,KEY=VALUE]: one more serve from this checkout with that env",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is required (apt-get install wrk)")
    print("figures are noisy: shared, loaded 2-core machine; runs alternate seed/ours")
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, FakeGraph.in_thread() as graph:
        work = Path(tmp)
        data = work / "data"
        seed_settings(data, **INGEST_PROFILE)
        ours = ServeProcess(
            serve_args(data, graph.base_url, "http://127.0.0.1:9"), live_env()
        ).start()
        stores = {"ours": (ours, data)}
        if args.baseline is not None:
            base_data = work / "base"
            stores["base"] = (
                start_baseline(args.baseline.resolve(), base_data, graph.base_url),
                base_data,
            )
        for spec in args.variant:
            name, _, assignments = spec.partition(":")
            env = dict(a.split("=", 1) for a in assignments.split(",") if a)
            variant_data = work / name
            seed_settings(variant_data, **INGEST_PROFILE)
            stores[name] = (
                ServeProcess(
                    serve_args(variant_data, graph.base_url, "http://127.0.0.1:9"),
                    live_env(**env),
                ).start(),
                variant_data,
            )
        names = ["seed", *stores]
        seed_port = free_port()
        seed = start_seed(seed_port)
        commits: list[float] = []
        try:
            for round_no in range(args.rounds):
                commits.append(commit_p50_ms(work))
                print(f"round {round_no}: fsync'd SQLite commit p50 {commits[-1]} ms", flush=True)
                for concurrency in LEVELS:
                    # Alternate the order too, so no server always runs right after another.
                    order = names if round_no % 2 == 0 else names[::-1]
                    for name in order:
                        prefix = f"{name.upper()}R{round_no}C{concurrency}X"
                        bodies = make_bodies(prefix, BODIES[concurrency])
                        if name == "seed":
                            url = f"http://127.0.0.1:{seed_port}"
                        else:
                            url = stores[name][0].url
                        result = run_wrk(url, concurrency, bodies, args.seconds, work)
                        if name != "seed":
                            sent = min(int(result["requests"]), len(bodies))
                            # A burst is acknowledged first and parsed just after: count the
                            # rows once it is, and report how long that took.
                            result["parse_after_s"] = wait_parsed(stores[name][1])
                            total, distinct = stored_once(stores[name][1], prefix)
                            result["lost"] = max(0, sent - distinct - int(result["non_200"]))
                            result["duplicates"] = total - distinct
                        runs.setdefault((name, concurrency), []).append(result)
                        print(line(name, result), flush=True)
        finally:
            seed.terminate()
            seed.wait(10)
            for server, _ in stores.values():
                server.terminate()
    summary: dict[str, object] = {"commit_p50_ms": statistics.median(commits)}
    print(f"\nmedian over rounds (fsync'd commit p50 {summary['commit_p50_ms']} ms):")
    for concurrency in LEVELS:
        level: dict[str, object] = {}
        for name in names:
            results = runs[(name, concurrency)]
            level[name] = {
                key: round(statistics.median(r[key] for r in results), 2)
                for key in ("acks_per_s", "p50_ms", "p99_ms")
            } | {"errors": sum(int(r["non_200"]) for r in results)}
            if name != "seed":
                level[name] |= {  # type: ignore[operator]
                    "lost": sum(int(r["lost"]) for r in results),
                    "duplicates": sum(int(r["duplicates"]) for r in results),
                    "parse_after_s": statistics.median(
                        float(r.get("parse_after_s", 0)) for r in results
                    ),
                }
        seed_ack = level["seed"]["acks_per_s"]  # type: ignore[index]
        ours_ack = level["ours"]["acks_per_s"]  # type: ignore[index]
        level["ratio_ours_seed"] = round(ours_ack / seed_ack, 2) if seed_ack else None
        if "base" in level:
            base_ack = level["base"]["acks_per_s"]  # type: ignore[index]
            level["ratio_ours_base"] = round(ours_ack / base_ack, 2) if base_ack else None
            level["ratio_base_seed"] = round(base_ack / seed_ack, 2) if seed_ack else None
        summary[f"c{concurrency}"] = level
        for name in names:
            figures = level[name]
            print(
                f"  c={concurrency:<3} {name:<5} {figures['acks_per_s']:>8} acks/s  "  # type: ignore[index]
                f"p50 {figures['p50_ms']} ms  p99 {figures['p99_ms']} ms"  # type: ignore[index]
            )
        print(f"  c={concurrency:<3} ratio ours/seed: {level['ratio_ours_seed']}")
        for name in names:
            if name not in ("seed", "ours"):
                other = level[name]["acks_per_s"]  # type: ignore[index]
                level[f"ratio_{name}_seed"] = round(other / seed_ack, 2) if seed_ack else None
        if "base" in level:
            print(
                f"  c={concurrency:<3} ratio base/seed: {level['ratio_base_seed']}  "
                f"ours/base: {level['ratio_ours_base']}"
            )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
