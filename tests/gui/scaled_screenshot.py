"""Save a screenshot of the monitor at 200 % scaling (run in a subprocess by the tests).

Usage: ``QT_SCALE_FACTOR=2 python -m tests.gui.scaled_screenshot OUT.png DATA_DIR``. The scale
factor is read once when the QApplication starts, so it cannot change inside the test process.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.gui.helpers import running_core, until  # noqa: E402
from tests.gui.seed import seed_needs_human, seed_showcase  # noqa: E402
from wabot_desktop.gui import i18n, theme  # noqa: E402
from wabot_desktop.gui.event_loop import new_event_loop  # noqa: E402
from wabot_desktop.gui.main_window import MainWindow  # noqa: E402


async def shoot(out: Path, data_dir: Path) -> None:
    async with running_core(data_dir) as env:
        window = MainWindow(env.service, enable_tray=False)
        window.resize(1366, 768)
        window.show()
        window.start()
        await seed_needs_human(env)
        conversation_id = await seed_showcase(env)
        window.monitor.open_conversation(conversation_id)
        bubbles = window.monitor.conversation.model
        await until(lambda: bubbles.rowCount() >= 11, what="bubbles")
        window.monitor.conversation.view.contact_button.setChecked(True)
        for _ in range(15):
            await asyncio.sleep(0.03)
        pixmap = window.grab()
        if not pixmap.save(str(out)):
            raise SystemExit(f"could not save {out}")
        window.shutdown()


def run_in_spanish(work: Callable[[], Coroutine[Any, Any, None]]) -> int:
    """Run ``work`` in a fresh QApplication (light theme, Spanish) under qasync; exit code 0."""
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    theme.apply_theme(app, "light")
    translators = i18n.Translators()
    translators.install(i18n.SPANISH)
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(work())
    return 0


def main() -> int:
    out, data_dir = Path(sys.argv[1]), Path(sys.argv[2])
    return run_in_spanish(lambda: shoot(out, data_dir))


if __name__ == "__main__":
    sys.exit(main())
