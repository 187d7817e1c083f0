"""The desktop window over a big history: launch, open the longest chat, scroll it, live load.

1. Generates a profile with 2,000 customers and 200,000 messages (SQLAlchemy Core executemany
   into a migrated schema). One chat is much longer than the rest (10,000 messages) and is the
   most recently active, so it is the first row of the chat list.
2. Launches the app in a child process, built the way ``run_gui`` does it (QApplication, theme,
   qasync loop, Core, translators, MainWindow, start, show) with test credentials, tunnel off,
   port 0, a FakeGraph and a FakeOllama thread (in this process). ``window_shown_s`` runs from
   just before the QApplication is built to the chat list's first page painted;
   ``launch_to_shown_s`` from the moment this process starts the child (interpreter and imports
   included).
3. Clicks the longest chat's row (QTest, like a user) and measures until its bubbles are painted.
4. Scrolls its whole history to the top: the scroll bar is moved to the top, which makes the view
   request the previous page, until no older message is left (per-page times are printed); then
   back down to the newest message the same way (the window holds at most a few hundred rows, so
   pages dropped on the way up are read again).
5. With the window open (that chat at its newest message, so live messages land in view), this
   process posts signed text webhooks at 50/s for 30 s to the child's webhook server: 10 % into
   the open chat, 2 % from new customers, the rest spread over the other chats. The child records
   every gap between ticks of a 5 ms QTimer (``max_stall_ms`` is the largest gap, timer period
   included), the asyncio loop's oversleep and the garbage collector's pauses; this process
   records each webhook's ack latency.
6. ``rss_mb`` is the child's resident memory at the end (``/proc/self/status``, VmRSS). The CPU
   time of the GUI thread (the event loop) and of the whole child during the load is printed
   too: on a machine shared with other work it varies less than the stalls do.

The bot is paused by default (``--bot paused``), as in bench/webhook_ingest.py: the figures are
the window's cost on top of the ingest path (the paused bot still records each turn). With
``--bot active`` it answers every message through FakeOllama and FakeGraph, 50 turns a second
from an LLM that answers instantly, which measures the bot pipeline more than the window. The
window's reads and the bot's history reads go to reader threads of their own (core/store/db.py,
``Database.read``/``bot_read``), so they never queue behind the webhook writer; what is left
competing with the acks is the event loop itself (the bot's Graph and Ollama requests, the GUI).

Like run_gui, the app process calls ``gc.collect(); gc.freeze()`` once the window is shown;
``--no-gc-freeze`` leaves that out, to show how much of ``max_stall_ms`` the collector's full
passes over start-up objects cost without it.

``--stall-stacks`` adds a thread that samples the GUI thread's stack every 2 ms while the stall
timer is more than 25 ms late (``stall_stacks`` in the JSON, most sampled first). It needs the
GIL to look, so a sample in Qt's own loop (``run_forever``) means the GUI thread was in C++ or
waiting for the GIL; the sampler itself adds a little load.

Last line: JSON with window_shown_s, open_conversation_ms, max_stall_ms, ack_p99_ms, rss_mb and
the details.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import faulthandler
import gc
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONVERSATIONS = 2000
MESSAGES = 200_000
LONGEST = 10_000
PREFIX = "BENCH "  # lines from the child meant for the parent


# -- database ------------------------------------------------------------------------------------

FIRST_NAMES = (
    "María", "José", "Juan", "Ana", "Luis", "Carmen", "Carlos", "Laura", "Jorge", "Sofía",
    "Miguel", "Lucía", "Pedro", "Valeria", "Diego", "Camila", "Andrés", "Paula", "Fernando",
    "Daniela", "Ricardo", "Gabriela", "Alejandro", "Fernanda", "Roberto", "Isabel", "Héctor",
)  # fmt: skip
LAST_NAMES = (
    "García", "Hernández", "López", "Martínez", "González", "Pérez", "Rodríguez", "Sánchez",
    "Ramírez", "Flores", "Torres", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes",
)  # fmt: skip
_TEXT = (
    "hola buenas tardes quiero saber si tienen el producto en talla mediana y cuanto cuesta "
    "el envío a domicilio gracias por la información me interesa pagar con tarjeta o "
    "transferencia cuándo llega mi pedido ya hice el pago les mando el comprobante sí claro "
    "perfecto muchas gracias hasta luego disculpe la demora tenemos disponible en color azul "
    "negro y rojo el precio es de 350 pesos con envío gratis a partir de 50 dólares horario de "
    "lunes a viernes de 9 a 19 horas sábados hasta las 14 la dirección es avenida siempre viva "
    "742 centro 😊 👍 🙏"
)
WORDS = _TEXT.split()
LABELS = (("Pedido", "#2f7fd0"), ("Pagado", "#25a36f"), ("Mayorista", "#a05ad0"),
          ("Reclamo", "#d0663a"), ("VIP", "#c9438c"))  # fmt: skip


def _sentence(rng: random.Random, low: int, high: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))
    return text[:1].upper() + text[1:]


def _message_counts(rng: random.Random) -> list[int]:
    """Messages per conversation: one of LONGEST, the rest heavy-tailed, summing to MESSAGES."""
    rest = MESSAGES - LONGEST
    weights = [rng.paretovariate(1.6) for _ in range(CONVERSATIONS - 1)]
    scale = (rest - 2 * (CONVERSATIONS - 1)) / sum(weights)
    counts = [2 + int(w * scale) for w in weights]
    counts = [min(c, 2500) for c in counts]
    i = 0
    while sum(counts) < rest:  # rounding and the cap: top up round-robin
        counts[i % len(counts)] += 1
        i += 1
    while sum(counts) > rest:
        if counts[i % len(counts)] > 2:
            counts[i % len(counts)] -= 1
        i += 1
    return [LONGEST, *counts]


def _conversation_messages(  # noqa: C901 - one timeline, one branch per kind of message
    rng: random.Random, conversation_id: int, count: int, start: float, end: float
) -> list[dict[str, Any]]:
    """A plausible timeline: sessions of customer messages and replies between start and end."""
    out: list[dict[str, Any]] = []
    # Session start times spread over [start, end]; messages a few seconds apart inside one.
    sessions = max(1, count // rng.randint(4, 9))
    starts = sorted(rng.uniform(start, end - 600) for _ in range(sessions))
    per_session = [count // sessions] * sessions
    for k in range(count - sum(per_session)):
        per_session[k % sessions] += 1
    inbound_wamids: list[str] = []
    staff = rng.choice(("Ana", "Luis", "Marta"))
    for session_start, n in zip(starts, per_session, strict=True):
        t = session_start
        for j in range(n):
            t += rng.uniform(2, 90)
            roll = rng.random()
            m: dict[str, Any] = {
                "conversation_id": conversation_id,
                "created_at": t,
                "handled": True,
                "media_voice": False,
                "forwarded": False,
                "frequently_forwarded": False,
            }
            if j == 0 or roll < 0.5:
                m.update(direction="in", author="customer", status="received")
                m["wa_timestamp"] = int(t)
                kind = rng.random()
                if kind < 0.85:
                    m.update(type="text", text=_sentence(rng, 2, 18))
                elif kind < 0.90:
                    m.update(type="image", media_id=f"m{rng.getrandbits(40)}",
                             media_mime="image/jpeg", text=rng.choice((None, "Mira esta foto")))  # fmt: skip
                elif kind < 0.94:
                    m.update(type="audio", media_id=f"m{rng.getrandbits(40)}",
                             media_mime="audio/ogg; codecs=opus", media_voice=True)  # fmt: skip
                elif kind < 0.96:
                    m.update(type="document", media_id=f"m{rng.getrandbits(40)}",
                             media_mime="application/pdf", media_filename="comprobante.pdf")  # fmt: skip
                elif kind < 0.97:
                    m.update(type="location", latitude=19.43 + rng.random() / 100,
                             longitude=-99.13 - rng.random() / 100, location_name="Casa",
                             location_address="Calle 5 de Mayo 12, Centro")  # fmt: skip
                elif kind < 0.98:
                    m.update(type="sticker", media_id=f"m{rng.getrandbits(40)}",
                             media_mime="image/webp")  # fmt: skip
                else:
                    m.update(type="reaction", text="👍")
                if inbound_wamids and rng.random() < 0.03:
                    m["reply_to_wamid"] = rng.choice(inbound_wamids[-20:])
                if rng.random() < 0.01:
                    m["forwarded"] = True
                m["wamid"] = f"wamid.HBgN{conversation_id:05d}{len(out):06d}IN"
                inbound_wamids.append(m["wamid"])
                m["raw"] = json.dumps(
                    {
                        "from": "x",
                        "id": m["wamid"],
                        "timestamp": str(int(t)),
                        "type": m["type"],
                        "text": {"body": m.get("text") or ""},
                    },  # fmt: skip
                    separators=(",", ":"),
                )
            else:
                author = "staff" if roll > 0.93 else "bot"
                status_roll = rng.random()
                status = (
                    "read" if status_roll < 0.8 else "delivered" if status_roll < 0.95
                    else "sent" if status_roll < 0.99 else "failed"
                )  # fmt: skip
                m.update(direction="out", author=author, status=status)
                m["wamid"] = f"wamid.HBgN{conversation_id:05d}{len(out):06d}OUT"
                if author == "staff":
                    m["staff_name"] = staff
                if rng.random() < 0.02:
                    m.update(type="template", text="Hola, tu pedido está listo para recoger.")
                else:
                    long_reply = rng.random() < 0.15
                    m.update(type="text", text=_sentence(rng, 30, 120) if long_reply
                             else _sentence(rng, 4, 25))  # fmt: skip
                    if author == "bot" and rng.random() < 0.05:
                        m["raw"] = json.dumps(["Sí", "No", "Hablar con alguien"])
                if status == "failed":
                    m.update(error_code=131047, error_title="Re-engagement message")
            out.append(m)
    # The last message closes the timeline at ``end`` (keeps last_message_at predictable).
    shift = end - out[-1]["created_at"]
    if shift < 0:
        for m in out:
            m["created_at"] += shift
    return out


def generate(data_dir: Path, *, seed: int, settings: dict[str, object]) -> dict[str, Any]:
    """Write the profile; returns what the benchmark needs to know about it."""
    from sqlalchemy import insert

    from wabot_desktop.core.paths import AppPaths
    from wabot_desktop.core.settings import save_settings
    from wabot_desktop.core.store.db import Database
    from wabot_desktop.core.store.ingest import preview_for
    from wabot_desktop.core.store.models import (
        Contact,
        Conversation,
        ConversationLabel,
        Label,
        Message,
    )

    rng = random.Random(seed)
    now = time.time()
    paths = AppPaths.resolve(data_dir).ensure()
    db = Database(paths.db_path)
    db.migrate()
    db.session_run_sync(lambda s: save_settings(s, **settings))

    counts = _message_counts(rng)
    contacts: list[dict[str, Any]] = []
    conversations: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for i in range(CONVERSATIONS):
        cid = i + 1
        wa_id = f"52155{10000000 + i * 37:08d}"
        named = rng.random() < 0.9
        first_seen = now - rng.uniform(30, 365) * 86400
        # The longest chat is the most recently active; the others end at random times.
        end = now - 60 if i == 0 else now - rng.uniform(600, 60 * 86400)
        contacts.append(
            {
                "id": cid,
                "wa_id": wa_id,
                "profile_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                if named
                else None,
                "notes": "",
                "first_seen_at": first_seen,
                "last_seen_at": end,
            }
        )
        timeline = _conversation_messages(rng, cid, counts[i], first_seen, end)
        messages.extend(timeline)
        last = timeline[-1]
        mode_roll = rng.random()
        mode = "bot" if mode_roll < 0.9 else "human" if mode_roll < 0.96 else "needs_human"

        def last_of(author: str, timeline: list[dict[str, Any]] = timeline) -> float | None:
            return next(
                (m["created_at"] for m in reversed(timeline) if m["author"] == author), None
            )

        conversations.append(
            {
                "id": cid,
                "contact_id": cid,
                "mode": mode,
                "mode_changed_at": first_seen if mode != "bot" else None,
                "staff_name": "Ana" if mode == "human" else None,
                "last_customer_message_at": last_of("customer"),
                "last_staff_message_at": last_of("staff"),
                "last_bot_message_at": last_of("bot"),
                "last_message_at": last["created_at"],
                "last_message_preview": preview_for(
                    last["type"],
                    last.get("text"),
                    filename=last.get("media_filename"),
                    location_name=last.get("location_name"),
                ),
                "last_message_author": last["author"],
                "unread_count": rng.randint(1, 5) if rng.random() < 0.15 else 0,
                "greeting_sent": True,
                "created_at": first_seen,
            }
        )
    # Ids in arrival order across the whole shop, as ingest would have given them.
    messages.sort(key=lambda m: m["created_at"])
    for number, m in enumerate(messages, start=1):
        m["id"] = number
    columns = [c.name for c in Message.__table__.columns]
    for m in messages:
        for name in columns:
            m.setdefault(name, None)
    labels = [{"id": n + 1, "name": name, "color": color} for n, (name, color) in enumerate(LABELS)]
    tagged = [
        {"conversation_id": c["id"], "label_id": label}
        for c in conversations
        if rng.random() < 0.2
        for label in rng.sample(range(1, len(LABELS) + 1), rng.randint(1, 2))
    ]
    with db.engine.begin() as connection:
        connection.execute(insert(Contact), contacts)
        connection.execute(insert(Conversation), conversations)
        connection.execute(insert(Label), labels)
        connection.execute(insert(ConversationLabel), tagged)
        for start in range(0, len(messages), 20_000):
            connection.execute(insert(Message), messages[start : start + 20_000])
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {
        "longest_conversation_id": 1,
        "longest_messages": counts[0],
        "hot_wa_id": contacts[0]["wa_id"],
        "hot_name": contacts[0]["profile_name"] or "",
        "wa_ids": [(c["wa_id"], c["profile_name"] or "") for c in contacts],
        "messages": len(messages),
        "db_mb": round(paths.db_path.stat().st_size / 1e6, 1),
    }


# -- the app (child process) ---------------------------------------------------------------------


def _rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            values[key] = int(value.split()[0]) / 1024
    return round(values.get("VmRSS", 0.0), 1), round(values.get("VmHWM", 0.0), 1)


def _say(kind: str, **data: Any) -> None:
    print(PREFIX + json.dumps({"kind": kind, **data}), flush=True)


def run_child(args: argparse.Namespace) -> int:  # noqa: C901 - one scripted session
    faulthandler.enable()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    launch_wall = float(args.launched_at)
    imports_started = time.perf_counter()

    import qasync
    from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    from tests.helpers import test_secrets
    from wabot_desktop.core.paths import AppPaths
    from wabot_desktop.gcpolicy import IdleCollector
    from wabot_desktop.gui import theme
    from wabot_desktop.gui.event_loop import new_event_loop
    from wabot_desktop.gui.i18n import Translators, choose_language
    from wabot_desktop.gui.main import create_application
    from wabot_desktop.gui.single_instance import SingleInstance, instance_key

    imports_s = time.perf_counter() - imports_started

    class PaintProbe(QObject):
        """Resolves a future once ``widget`` has painted while ``ready()`` holds."""

        def __init__(self, widget: QWidget) -> None:
            super().__init__(widget)
            self._widget = widget
            self._waiters: list[tuple[Any, asyncio.Future[float]]] = []
            self.paints = 0
            widget.installEventFilter(self)

        def next_paint(self, ready: Any = lambda: True) -> asyncio.Future[float]:
            future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            self._waiters.append((ready, future))
            return future

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if watched is self._widget and event.type() == QEvent.Type.Paint:
                self.paints += 1
            if watched is self._widget and event.type() == QEvent.Type.Paint and self._waiters:
                due = [(r, f) for r, f in self._waiters if r()]
                if due:
                    self._waiters = [w for w in self._waiters if w not in due]

                    def done() -> None:  # after this paint event has been handled
                        stamp = time.perf_counter()
                        for _, future in due:
                            if not future.done():
                                future.set_result(stamp)

                    QTimer.singleShot(0, done)
            return False

    class GcWatch:
        """Longest garbage-collector pause per generation (a stall the app does not choose)."""

        def __init__(self) -> None:
            self.started = 0.0
            self.longest: dict[int, float] = {}
            gc.callbacks.append(self._callback)

        def _callback(self, phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                self.started = time.perf_counter()
                return
            took = (time.perf_counter() - self.started) * 1000
            generation = info["generation"]
            self.longest[generation] = max(self.longest.get(generation, 0.0), took)

        def take(self) -> dict[str, float]:
            longest, self.longest = self.longest, {}
            return {f"gen{g}_max_ms": round(v, 1) for g, v in sorted(longest.items())}

    class StallMonitor:
        """Largest gap between ticks of a 5 ms timer, per phase, plus asyncio oversleep."""

        def __init__(self) -> None:
            self.timer = QTimer()
            self.timer.setTimerType(Qt.TimerType.PreciseTimer)
            self.timer.setInterval(5)
            self.timer.timeout.connect(self._tick)
            self.last = time.perf_counter()
            self.gaps: list[float] = []
            self.loop_lag: list[float] = []
            self._lag_task: asyncio.Task[None] | None = None
            self.stacks: list[tuple[float, tuple[str, ...]]] = []  # --stall-stacks
            self._sampling = False

        def start(self) -> None:
            self.last = time.perf_counter()
            self.timer.start()
            self._lag_task = asyncio.get_running_loop().create_task(self._lag())

        def reset(self) -> None:
            self.gaps = []
            self.loop_lag = []
            self.last = time.perf_counter()

        def _tick(self) -> None:
            now = time.perf_counter()
            self.gaps.append((now - self.last) * 1000)
            self.last = now

        async def _lag(self) -> None:
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.005)
                self.loop_lag.append((time.perf_counter() - before) * 1000 - 5)

        def summary(self) -> dict[str, float]:
            gaps = sorted(self.gaps) or [0.0]
            lag = sorted(self.loop_lag) or [0.0]
            return {
                "max_gap_ms": round(gaps[-1], 1),
                "p99_gap_ms": round(gaps[int(len(gaps) * 0.99) - 1 if len(gaps) > 1 else 0], 1),
                "gaps_over_50ms": sum(1 for g in gaps if g > 50),
                "gaps_over_16ms": sum(1 for g in gaps if g > 16),
                "max_loop_lag_ms": round(lag[-1], 1),
            }

        def stop(self) -> None:
            self.timer.stop()
            if self._lag_task is not None:
                self._lag_task.cancel()
            self._sampling = False

        def sample_stalls(self, over_ms: float = 25.0) -> None:
            """--stall-stacks: a thread that, while the 5 ms timer is over ``over_ms`` late,
            records what the GUI thread is running (every 2 ms; it needs the GIL to look, so
            a stall spent waiting for it shows where the GUI thread got it back)."""
            if self._sampling:
                return
            main_id = threading.main_thread().ident
            self._sampling = True

            def run() -> None:
                while self._sampling:
                    time.sleep(0.002)
                    late = (time.perf_counter() - self.last) * 1000
                    if late < over_ms:
                        continue
                    frame = sys._current_frames().get(main_id)  # type: ignore[arg-type]
                    names: list[str] = []
                    while frame is not None and len(names) < 40:
                        code = frame.f_code
                        names.append(
                            f"{Path(code.co_filename).name}:{code.co_name}:{frame.f_lineno}"
                        )
                        frame = frame.f_back
                    self.stacks.append((late, tuple(names)))

            threading.Thread(target=run, name="stall-sampler", daemon=True).start()

        def stall_stacks(self) -> list[dict[str, object]]:
            """The GUI thread's innermost frames during stalls, most sampled first."""
            counts: dict[tuple[str, ...], int] = {}
            for _, names in self.stacks:
                key = names[:12]
                counts[key] = counts.get(key, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:12]
            return [{"samples": n, "stack": list(k)} for k, n in ranked]

    stdin_lines: list[str] = []

    def read_stdin(loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        for line in sys.stdin:
            stdin_lines.append(line.strip())
            loop.call_soon_threadsafe(event.set)

    async def session(app: QApplication, paths: AppPaths, t0: float) -> dict[str, Any]:
        from wabot_desktop.core.runtime import Core, CoreConfig
        from wabot_desktop.gui.main_window import MainWindow

        result: dict[str, Any] = {"imports_s": round(imports_s, 3)}
        core = Core(
            CoreConfig(
                paths=paths,
                host="127.0.0.1",
                port=0,
                graph_url=args.graph_url,
                ollama_url=args.ollama_url,
                tunnel=False,
                secrets=test_secrets(),
            )
        )
        translators = Translators()
        await core.start()
        result["core_started_s"] = round(time.perf_counter() - t0, 3)
        setting = await core.service.get_setting("language")
        translators.install(choose_language(None, str(setting or "")))
        window = MainWindow(core.service)
        chat_view = window.monitor.chat_list.view.list_view
        chat_model = window.monitor.chat_list.model
        list_probe = PaintProbe(chat_view.viewport())
        first_page = list_probe.next_paint(lambda: chat_model.rowCount() > 0)
        window.start()
        window.show()
        result["window_built_s"] = round(time.perf_counter() - t0, 3)
        painted = await asyncio.wait_for(first_page, 30)
        result["window_shown_s"] = round(painted - t0, 3)
        result["launch_to_shown_s"] = round(time.time() - launch_wall, 3)
        _say("shown", **result)

        if args.gc_freeze:
            gc.collect()
            gc.freeze()  # as run_gui does once the window is up
        policy_task: asyncio.Task[None] | None = None
        if args.gc_policy:  # as run_gui does: full passes only when the bot is idle
            collector = IdleCollector(lambda: core.engine is not None and core.engine.busy)
            policy_task = asyncio.create_task(collector.run())
        monitor = StallMonitor()
        monitor.start()
        gc_watch = GcWatch()
        await asyncio.sleep(1.0)  # let the start-up tail (counts, labels, health) settle
        monitor.reset()
        gc_watch.take()

        # -- open the longest chat with a click on its row
        conversation = window.monitor.conversation
        message_view = conversation.view.message_list
        message_model = conversation.model
        target = int(args.conversation_id)
        row = chat_model.row_of(target)
        assert row >= 0, "the longest chat is not on the first page"
        rect = chat_view.visualRect(chat_model.index(row, 0))
        bubbles_probe = PaintProbe(message_view.viewport())
        bubbles = bubbles_probe.next_paint(
            lambda: message_model.conversation_id == target and message_model.rowCount() > 0
        )
        clicked = time.perf_counter()
        QTest.mouseClick(chat_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        opened = await asyncio.wait_for(bubbles, 30)
        result["open_conversation_ms"] = round((opened - clicked) * 1000, 1)
        result["open_rows"] = message_model.rowCount()
        await asyncio.sleep(0.5)
        result["open_stalls"] = {**monitor.summary(), **gc_watch.take()}
        _say("opened", open_conversation_ms=result["open_conversation_ms"])

        # -- scroll to the top of its history, page by page, as the view does on scroll
        monitor.reset()
        scroll = message_view.verticalScrollBar()
        pages: list[float] = []
        scroll_started = time.perf_counter()
        while message_model.has_older:
            loaded = asyncio.get_running_loop().create_future()

            def on_older(count: int, loaded: asyncio.Future[int] = loaded) -> None:
                if not loaded.done():
                    loaded.set_result(count)

            message_model.older_loaded.connect(on_older)
            # The first paint after the page went in (the model may drop as many rows below).
            repainted = bubbles_probe.next_paint(loaded.done)
            page_started = time.perf_counter()
            scroll.setValue(scroll.minimum())
            count = await asyncio.wait_for(loaded, 30)
            message_model.older_loaded.disconnect(on_older)
            if not count:
                break  # the last request found nothing older
            painted = await asyncio.wait_for(repainted, 30)
            pages.append((painted - page_started) * 1000)
        scroll.setValue(scroll.minimum())
        await asyncio.sleep(0.2)
        scroll_s = time.perf_counter() - scroll_started
        top_row = message_view.indexAt(QPoint(10, 10)).row()
        result["scroll"] = {
            "pages": len(pages),
            "rows": message_model.rowCount(),
            "total_s": round(scroll_s, 2),
            "page_ms_median": round(statistics.median(pages), 1) if pages else 0.0,
            "page_ms_p90": round(sorted(pages)[int(len(pages) * 0.9)], 1) if pages else 0.0,
            "page_ms_max": round(max(pages), 1) if pages else 0.0,
            "page_ms_first": round(pages[0], 1) if pages else 0.0,
            "page_ms_last": round(pages[-1], 1) if pages else 0.0,
            "top_row_visible": top_row,
            "stalls": {**monitor.summary(), **gc_watch.take()},
        }
        result["rss_after_scroll_mb"] = _rss_mb()[0]
        _say("scrolled", **result["scroll"])

        # -- and back down to the newest message (pages dropped on the way up come back)
        monitor.reset()
        down: list[float] = []
        down_started = time.perf_counter()
        while message_model.has_newer:
            arrived = asyncio.get_running_loop().create_future()

            def on_newer(count: int, arrived: asyncio.Future[int] = arrived) -> None:
                if not arrived.done():
                    arrived.set_result(count)

            message_model.newer_loaded.connect(on_newer)
            repainted = bubbles_probe.next_paint(arrived.done)
            page_started = time.perf_counter()
            scroll.setValue(scroll.maximum())
            count = await asyncio.wait_for(arrived, 30)
            message_model.newer_loaded.disconnect(on_newer)
            if not count:
                break
            painted = await asyncio.wait_for(repainted, 30)
            down.append((painted - page_started) * 1000)
        scroll.setValue(scroll.maximum())
        await asyncio.sleep(0.2)
        newest = await core.service.get_messages(target, limit=1)
        result["scroll_down"] = {
            "pages": len(down),
            "total_s": round(time.perf_counter() - down_started, 2),
            "page_ms_median": round(statistics.median(down), 1) if down else 0.0,
            "page_ms_max": round(max(down), 1) if down else 0.0,
            "at_newest": bool(newest) and message_model.ids()[-1] == newest[-1].id,
            "stalls": {**monitor.summary(), **gc_watch.take()},
        }
        _say("scrolled_down", **result["scroll_down"])

        # -- live load: the parent posts webhooks until it writes "done"
        loop = asyncio.get_running_loop()
        got_line = asyncio.Event()
        threading.Thread(target=read_stdin, args=(loop, got_line), daemon=True).start()
        received: list[int] = []
        window.bridge.message_received.connect(lambda _cid, mid: received.append(mid))
        monitor.reset()
        gc_watch.take()
        if args.stall_stacks:
            monitor.sample_stalls()
        list_paints, bubble_paints = list_probe.paints, bubbles_probe.paints
        # CPU time of the GUI thread (the event loop) and of the whole process during the load:
        # what the window and the bot cost, less sensitive to other processes than the stalls.
        loop_cpu, process_cpu = time.thread_time(), time.process_time()
        # Objects a full collection walks (not frozen): the size of a gen2 pause.
        result["gc_objects_at_load_start"] = len(gc.get_objects())
        result["gc_frozen"] = gc.get_freeze_count()
        acks_before = _ack_buckets(core)
        _say("ready", server_url=core.server_url)
        while "done" not in stdin_lines:
            got_line.clear()
            await got_line.wait()
        await asyncio.sleep(0.5)
        result["live_loop_cpu_s"] = round(time.thread_time() - loop_cpu, 2)
        result["live_process_cpu_s"] = round(time.process_time() - process_cpu, 2)
        result["gc_objects_at_load_end"] = len(gc.get_objects())
        result["live_stalls"] = {**monitor.summary(), **gc_watch.take()}
        if args.stall_stacks:
            result["stall_stacks"] = monitor.stall_stacks()
        # Inside the server (handler start to 200 written), cumulative: the rest of a client's
        # ack time is the socket and waiting to be scheduled (GIL, other threads, the CPU).
        acks_after = _ack_buckets(core)
        result["server_acks_within_ms"] = {
            le: acks_after[le] - acks_before.get(le, 0) for le in acks_after
        }
        result["live_messages_seen"] = len(received)
        result["live_open_rows"] = message_model.rowCount()
        result["live_chat_rows"] = chat_model.rowCount()
        result["live_paints"] = {
            "chat_list": list_probe.paints - list_paints,
            "bubbles": bubbles_probe.paints - bubble_paints,
        }
        monitor.stop()
        result["rss_mb"], result["rss_peak_mb"] = _rss_mb()

        if policy_task is not None:
            result["gc_policy"] = {"collections": collector.collections, "forced": collector.forced}
            policy_task.cancel()
            await asyncio.wait([policy_task])
        window.shutdown()
        window.hide()
        window.deleteLater()
        await core.stop()
        await asyncio.sleep(0)
        return result

    t0 = time.perf_counter()
    app = create_application()
    paths = AppPaths.resolve(args.data_dir)
    instance = SingleInstance(instance_key(paths.data_dir))
    instance.listen()
    theme.apply_theme(app, "system")
    theme.follow_system(app)
    loop = qasync.QEventLoop(app) if args.loop == "qasync" else new_event_loop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            result = loop.run_until_complete(session(app, paths, t0))
    finally:
        instance.close()
        asyncio.set_event_loop(None)
    _say("result", **result)
    return 0


# -- webhook load (parent process) ---------------------------------------------------------------


def make_bodies(
    info: dict[str, Any], rate: int, seconds: int, seed: int
) -> list[tuple[bytes, dict[str, str]]]:
    from tests.helpers import message_body, signature_headers, text_message

    rng = random.Random(seed)
    bodies = []
    for i in range(rate * seconds):
        roll = rng.random()
        if roll < 0.10:
            wa_id, name = info["hot_wa_id"], info["hot_name"]
        elif roll < 0.12:
            wa_id, name = f"52133{90000000 + i:08d}", f"Cliente nuevo {i}"
        else:
            wa_id, name = rng.choice(info["wa_ids"][1:])
        text = _sentence(rng, 2, 20)
        body = message_body(
            [text_message(text, wa_id=wa_id, wamid=f"wamid.GUIBENCH{seed}X{i:06d}")],
            wa_id=wa_id,
            name=name or "Cliente",
        )
        bodies.append((body, signature_headers(body)))
    return bodies


async def post_load(
    url: str, bodies: list[tuple[bytes, dict[str, str]]], rate: int
) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    failures = 0
    late = 0

    async with httpx.AsyncClient(timeout=30.0, limits=httpx.Limits(max_connections=64)) as client:
        # Warm one connection so the first ack does not pay the TCP handshake alone.
        await client.get(url + "/health")

        async def one(body: bytes, headers: dict[str, str]) -> None:
            nonlocal failures
            started = time.perf_counter()
            try:
                response = await client.post(url + "/webhook", content=body, headers=headers)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            if not ok:
                failures += 1

        tasks = []
        start = time.perf_counter()
        for i, (body, headers) in enumerate(bodies):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.02:
                late += 1
            tasks.append(asyncio.create_task(one(body, headers)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "sent": len(bodies),
        "seconds": round(elapsed, 1),
        "non_200": failures,
        "late_sends": late,
        "ack_p50_ms": round(statistics.median(latencies), 1),
        "ack_p99_ms": round(latencies[max(0, math.ceil(len(latencies) * 0.99) - 1)], 1),
        "ack_max_ms": round(latencies[-1], 1),
    }


class Child:
    """The app process; its BENCH lines are collected, the rest is echoed with a prefix."""

    def __init__(self, argv: list[str]) -> None:
        self.launched_at = time.time()
        self.process = subprocess.Popen(
            [*argv, "--launched-at", repr(self.launched_at)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self._events: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(PREFIX):
                with self._changed:
                    self._events.append(json.loads(line[len(PREFIX) :]))
                    self._changed.notify_all()
            else:
                print("  app:", line.rstrip(), flush=True)
        code = self.process.wait()
        if code:
            print(f"  app: exited with status {code}", flush=True)
        with self._changed:
            self._events.append({"kind": "exit"})
            self._changed.notify_all()

    def wait_for(self, kind: str, timeout: float = 600) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self._events:
                    if event["kind"] == kind:
                        return event
                    if event["kind"] == "exit":
                        raise RuntimeError(f"the app exited before {kind!r}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(kind)
                self._changed.wait(remaining)

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def finish(self) -> None:
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def fakes() -> Iterator[tuple[str, str, dict[str, int]]]:
    """FakeGraph and FakeOllama threads; the dict gets their request counts when they stop."""
    from tests.fakes.graph import FakeGraph
    from tests.fakes.ollama import FakeOllama

    counts: dict[str, int] = {}
    with FakeGraph.in_thread() as graph, FakeOllama.in_thread() as ollama:
        try:
            yield graph.base_url, ollama.host, counts
        finally:
            counts.update(
                graph_sends=len(graph.sent_messages),
                graph_read_receipts=len(graph.read_receipts),
                graph_requests=len(graph.requests),
                ollama_chats=len(ollama.chat_requests),
            )


def _ack_buckets(core: Any) -> dict[str, int]:
    """The server's own ack-time histogram: acks within each bucket's bound (ms -> count)."""
    found: dict[str, int] = {}
    for metric in core.metrics.ack_latency.collect():
        for sample in metric.samples:
            if sample.name.endswith("_bucket"):
                bound = sample.labels["le"]
                key = "inf" if bound == "+Inf" else f"{float(bound) * 1000:g}"
                found[key] = int(sample.value)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bot", choices=("active", "paused"), default="paused")
    parser.add_argument("--rate", type=int, default=50, help="webhooks per second")
    parser.add_argument("--seconds", type=int, default=30, help="length of the live load")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", default=None, help="keep the profile here (default: temp)")
    parser.add_argument(
        "--gc-freeze",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="gc.freeze() once the window is shown, as run_gui does (--no-gc-freeze: without)",
    )
    parser.add_argument(
        "--gc-policy",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="full GC passes only when the bot is idle (gcpolicy.py), as run_gui does",
    )
    parser.add_argument(
        "--loop",
        choices=("sliced", "qasync"),
        default="sliced",
        help="the app's loop (gui/event_loop.py: ready callbacks in 4 ms slices) or qasync's own "
        "(one Qt timer per callback, all due ones in one pass)",
    )
    parser.add_argument(
        "--stall-stacks",
        action="store_true",
        help="sample the GUI thread's stack while the stall timer is over 25 ms late "
        "(stall_stacks in the JSON)",
    )
    # Child mode (internal)
    parser.add_argument("--app", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--graph-url", help=argparse.SUPPRESS)
    parser.add_argument("--ollama-url", help=argparse.SUPPRESS)
    parser.add_argument("--conversation-id", help=argparse.SUPPRESS)
    parser.add_argument("--launched-at", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app:
        return run_child(args)

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        kept = Path(args.data_dir) if args.data_dir else None
        settings: dict[str, object] = {
            "bot_paused": args.bot == "paused",
            "staff_name": "Ana",
            "close_to_tray_hint_shown": True,
            "language": "es_419",
        }
        started = time.perf_counter()
        saved = (kept or data_dir) / "bench-info.json"
        if kept is not None and saved.exists():
            # A profile kept from an earlier run: each run gets its own copy (a run adds
            # messages and replies), so runs start from the same database.
            info = json.loads(saved.read_text())
            if info.get("bot") != args.bot:
                print(f"{kept} was generated with --bot {info.get('bot')}: use another --data-dir")
                return 2
            shutil.copytree(kept, data_dir)
        else:
            info = generate(data_dir, seed=args.seed, settings=settings)
            info["bot"] = args.bot
            (data_dir / "bench-info.json").write_text(json.dumps(info))
            if kept is not None:
                shutil.copytree(data_dir, kept)
        print(
            f"database: {CONVERSATIONS} chats, {info['messages']} messages "
            f"(longest {info['longest_messages']}), {info['db_mb']} MB, "
            f"generated in {time.perf_counter() - started:.1f} s; bot {args.bot}"
        )
        bodies = make_bodies(info, args.rate, args.seconds, args.seed)
        with fakes() as (graph_url, ollama_url, requests):
            child = Child(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--app",
                    "--data-dir",
                    str(data_dir),
                    "--graph-url",
                    graph_url,
                    "--ollama-url",
                    ollama_url,
                    "--conversation-id",
                    str(info["longest_conversation_id"]),
                    "--gc-freeze" if args.gc_freeze else "--no-gc-freeze",
                    *(["--stall-stacks"] if args.stall_stacks else []),
                    "--gc-policy" if args.gc_policy else "--no-gc-policy",
                    "--loop",
                    args.loop,
                ]
            )
            try:
                shown = child.wait_for("shown", 120)
                print(
                    f"window shown: {shown['window_shown_s']} s after QApplication "
                    f"({shown['launch_to_shown_s']} s after launch; imports {shown['imports_s']} s, "
                    f"core started at {shown['core_started_s']} s)"
                )
                opened = child.wait_for("opened", 120)
                print(
                    f"longest chat opened: {opened['open_conversation_ms']} ms to bubbles painted"
                )
                scrolled = child.wait_for("scrolled", 900)
                print(
                    f"full history scrolled: {scrolled['pages']} pages, {scrolled['rows']} rows "
                    f"in {scrolled['total_s']} s; per page median {scrolled['page_ms_median']} ms, "
                    f"p90 {scrolled['page_ms_p90']} ms, max {scrolled['page_ms_max']} ms "
                    f"(first {scrolled['page_ms_first']}, last {scrolled['page_ms_last']}); "
                    f"max stall {scrolled['stalls']['max_gap_ms']} ms"
                )
                down = child.wait_for("scrolled_down", 900)
                print(
                    f"and back down: {down['pages']} pages in {down['total_s']} s; per page "
                    f"median {down['page_ms_median']} ms, max {down['page_ms_max']} ms; newest "
                    f"message shown: {down['at_newest']}; max stall {down['stalls']['max_gap_ms']} ms"
                )
                ready = child.wait_for("ready", 60)
                load = asyncio.run(post_load(ready["server_url"], bodies, args.rate))
                child.send("done")
                result = child.wait_for("result", 120)
            finally:
                child.finish()
    live = result["live_stalls"]
    print(
        f"live load: {load['sent']} webhooks in {load['seconds']} s, acks p50 "
        f"{load['ack_p50_ms']} ms, p99 {load['ack_p99_ms']} ms, max {load['ack_max_ms']} ms, "
        f"non-200 {load['non_200']}; window saw {result['live_messages_seen']} messages"
    )
    within = result["server_acks_within_ms"]
    total = within.get("inf", 0) or 1
    print(
        "inside the server: "
        + ", ".join(
            f"{100 * within[bound] / total:.1f}% within {bound} ms"
            for bound in ("2", "5", "10", "20", "50")
            if bound in within
        )
    )
    print(
        f"event loop during the load: max gap {live['max_gap_ms']} ms, p99 {live['p99_gap_ms']} "
        f"ms, gaps > 50 ms: {live['gaps_over_50ms']}, > 16 ms: {live['gaps_over_16ms']}, "
        f"max asyncio lag {live['max_loop_lag_ms']} ms"
    )
    print(
        f"CPU during the load: event loop thread {result['live_loop_cpu_s']} s, whole app "
        f"{result['live_process_cpu_s']} s"
    )
    print(f"memory: {result['rss_mb']} MB resident at the end (peak {result['rss_peak_mb']} MB)")
    print(
        f"requests over the whole run: {requests['graph_sends']} sends, "
        f"{requests['graph_read_receipts']} read receipts/typing indicators "
        f"({requests['graph_requests']} Graph requests in all), "
        f"{requests['ollama_chats']} LLM chats"
    )
    print(
        json.dumps(
            {
                "window_shown_s": result["window_shown_s"],
                "open_conversation_ms": result["open_conversation_ms"],
                "max_stall_ms": live["max_gap_ms"],
                "ack_p99_ms": load["ack_p99_ms"],
                "rss_mb": result["rss_mb"],
                "bot": args.bot,
                "loop": args.loop,
                "launch_to_shown_s": result["launch_to_shown_s"],
                "scroll": result["scroll"],
                "scroll_down": result["scroll_down"],
                "open_stalls": result["open_stalls"],
                "live_stalls": live,
                "load": load,
                "rss_peak_mb": result["rss_peak_mb"],
                "rss_after_scroll_mb": result["rss_after_scroll_mb"],
                "live_open_rows": result["live_open_rows"],
                "live_chat_rows": result["live_chat_rows"],
                "live_paints": result["live_paints"],
                "requests": requests,
                "live_loop_cpu_s": result["live_loop_cpu_s"],
                "live_process_cpu_s": result["live_process_cpu_s"],
                "gc_objects": [
                    result["gc_objects_at_load_start"],
                    result["gc_objects_at_load_end"],
                    result["gc_frozen"],
                ],
                **({"stall_stacks": result["stall_stacks"]} if "stall_stacks" in result else {}),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
