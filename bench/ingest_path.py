"""CPU cost of the webhook ack path per body, without HTTP or load generator (issue 17).

The end-to-end figures (bench/compare_peers.py) swing with the other load on a shared machine;
these are steadier, because they time the two halves of the path in this process alone:

* loop side: signature check + strict decode + parse of one signed text webhook;
* DB side: the writer's store of a batch plus the commit for groups of 1 and of 64 bodies
  (``raw``: :func:`apply_batch_raw` on the writer's own connection, as the writer stores
  customer messages; ``session``: :func:`apply_batch` in an ORM session, the path before), on a database
  in ``/dev/shm`` where there is one (RAM: no disk wait, so this is the CPU of statements and
  commit bookkeeping), and on the temporary directory's disk (with the real fsync).

Medians over ``--repeat`` passes. Run it from two checkouts to compare revisions (the sources on
the path are the ones measured):

    .venv/bin/python bench/ingest_path.py
    cd /tmp/base && PYTHONPATH=/tmp/base /path/to/.venv/bin/python bench/ingest_path.py

Last line: JSON with the per-body microseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.webhook_ingest import make_bodies  # noqa: E402
from tests.helpers import APP_SECRET, PHONE_NUMBER_ID  # noqa: E402
from wabot_desktop.core.store.db import Database  # noqa: E402
from wabot_desktop.core.store.ingest import (  # noqa: E402
    IngestItem,
    apply_batch,
    apply_batch_raw,
)
from wabot_desktop.core.whatsapp.parser import decode_body, parse_webhook  # noqa: E402
from wabot_desktop.core.whatsapp.signature import verify_signature  # noqa: E402


def loop_side_us(bodies: list[tuple[str, bytes, dict[str, str]]]) -> float:
    started = time.perf_counter()
    for _, body, headers in bodies:
        verify_signature(APP_SECRET, body, headers["X-Hub-Signature-256"])
        parse_webhook(decode_body(body), phone_number_id=PHONE_NUMBER_ID)
    return (time.perf_counter() - started) / len(bodies) * 1e6


def db_side_us(folder: Path, prefix: str, group: int, count: int, raw: bool = True) -> float:
    db = Database(folder / f"{prefix}.db")
    try:
        db.migrate()
        bodies = make_bodies(prefix, count)
        items = [
            IngestItem(
                body, parse_webhook(decode_body(body), phone_number_id=PHONE_NUMBER_ID), time.time()
            )
            for _, body, _ in bodies
        ]
        # The first pass creates the contacts; time the steady state (contacts known).
        half = count // 2

        def store(batch: list[IngestItem]) -> None:
            if raw:
                db.raw_transaction(apply_batch_raw, batch)
            else:
                db.session_run_sync(apply_batch, batch)

        for i in range(0, half, group):
            store(items[i : i + group])
        started = time.perf_counter()
        for i in range(half, count, group):
            store(items[i : i + group])
        return (time.perf_counter() - started) / (count - half) * 1e6
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("per-body CPU of the ack path (noisy on a shared machine; medians)")
    ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as disk_tmp, tempfile.TemporaryDirectory(dir=ram) as ram_tmp:
        for rep in range(args.repeat):
            bodies = make_bodies(f"L{rep}X", 3000)
            results.setdefault("loop_side_us", []).append(loop_side_us(bodies))
            for group, count in ((1, 600), (64, 6400)):
                for raw in (True, False):
                    key = f"db_ram_group{group}_{'raw' if raw else 'session'}_us"
                    results.setdefault(key, []).append(
                        db_side_us(Path(ram_tmp), f"R{rep}G{group}{raw:d}X", group, count, raw)
                    )
            key = "db_disk_group64_us"
            results.setdefault(key, []).append(db_side_us(Path(disk_tmp), f"D{rep}X", 64, 3200))
    summary = {key: round(statistics.median(values), 1) for key, values in results.items()}
    for key, value in summary.items():
        print(f"  {key:<30} {value:>8} us per body")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
