"""Where ``serve``'s time goes on the webhook ack path: py-spy over a wrk run.

Starts ``serve`` as bench/webhook_ingest.py does (bot paused), attaches ``py-spy record``
(``--format raw``: collapsed stacks, all threads, idle samples dropped) while wrk posts unique
signed text webhooks at the given concurrency, then prints the top functions by own time and
by inclusive time, as a share of the on-CPU samples. Needs the ``bench`` extra (py-spy) and wrk;
py-spy needs ptrace permission on the server (root, or ptrace_scope 0). Figures are noisy on a
shared machine.

    python bench/profile_ingest.py [--concurrency 64] [--seconds 10] [--out profile.txt]
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.webhook_ingest import INGEST_PROFILE, make_bodies, run_wrk  # noqa: E402
from tests.e2e.serve import ServeProcess, live_env, seed_settings, serve_args  # noqa: E402
from tests.fakes.graph import FakeGraph  # noqa: E402


def summarise(collapsed: Path, top: int) -> None:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for raw_line in collapsed.read_text().splitlines():
        stack, _, count_text = raw_line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [
            f.split(" (")[0] + " (" + f.split(" (")[-1] if " (" in f else f
            for f in stack.split(";")
        ]
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        print("no samples")
        return
    print(f"{total} on-CPU samples")
    print("\ntop by own time:")
    for frame, count in own.most_common(top):
        print(f"  {100 * count / total:5.1f}%  {frame}")
    print("\ntop by inclusive time:")
    for frame, count in inclusive.most_common(top):
        print(f"  {100 * count / total:5.1f}%  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path("profile.txt"))
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    py_spy = Path(sys.executable).with_name("py-spy")
    with tempfile.TemporaryDirectory() as tmp, FakeGraph.in_thread() as graph:
        data = Path(tmp) / "data"
        seed_settings(data, **INGEST_PROFILE)
        server = ServeProcess(
            serve_args(data, graph.base_url, "http://127.0.0.1:9"), live_env()
        ).start()
        try:
            assert server.proc is not None
            bodies = make_bodies("PROF", 60000)
            record = subprocess.Popen(
                [
                    str(py_spy),
                    "record",
                    "-p",
                    str(server.proc.pid),
                    "-d",
                    str(args.seconds + 1),
                    "-r",
                    "200",
                    "--format",
                    "raw",
                    "-o",
                    str(args.out),
                    "--threads",
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            result: dict[str, float] = {}
            load = threading.Thread(
                target=lambda: result.update(
                    run_wrk(server.url, args.concurrency, bodies, args.seconds, Path(tmp))
                )
            )
            load.start()
            load.join()
            _, err = record.communicate(timeout=60)
            if record.returncode != 0:
                print(err.decode(errors="replace"))
        finally:
            server.terminate()
    print(f"wrk c={args.concurrency}: {result}")
    summarise(args.out, args.top)


if __name__ == "__main__":
    main()
