"""Save the About box and the restore confirmation at 200 % scaling, in Spanish.

Usage: ``QT_SCALE_FACTOR=2 python -m tests.gui.scaled_dialogs OUT_DIR DATA_DIR`` (run in a
subprocess by tests/gui/test_backup_menu.py: the scale factor is read once, when the
QApplication starts). A real practice session runs in DATA_DIR; Ollama is a closed port.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from tests.gui.helpers import until  # noqa: E402
from tests.gui.scaled_screenshot import run_in_spanish  # noqa: E402
from wabot_desktop.core.paths import AppPaths  # noqa: E402
from wabot_desktop.core.runtime import CoreConfig  # noqa: E402
from wabot_desktop.core.secrets import MemorySecretStore  # noqa: E402
from wabot_desktop.core.session import Session  # noqa: E402
from wabot_desktop.gui.about_dialog import AboutDialog  # noqa: E402
from wabot_desktop.gui.app_session import AppSession  # noqa: E402


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _settle() -> None:
    for _ in range(15):
        await asyncio.sleep(0.03)


async def shoot(out: Path, data_dir: Path) -> None:
    config = CoreConfig(
        paths=AppPaths.resolve(data_dir),
        port=0,
        ollama_url=f"http://127.0.0.1:{_closed_port()}",
        tunnel=False,
        settings_overrides={"close_to_tray_hint_shown": True},
    )
    app = AppSession(Session(config, live_secrets=MemorySecretStore()))
    await app.start()
    window = app.create_window(enable_tray=False)
    window.resize(1366, 768)
    window.show()
    window.start()
    try:
        info = await app.session.create_backup(data_dir / "copia.zip")
        asking = asyncio.ensure_future(app.confirm_restore(info))
        boxes: list[QMessageBox] = []

        def shown() -> bool:
            boxes[:] = [b for b in window.findChildren(QMessageBox, "confirmBox") if b.isVisible()]
            return bool(boxes)

        await until(shown, what="restore confirmation")
        await _settle()
        if not boxes[0].grab().save(str(out / "34_restore_confirmation_200.png")):
            raise SystemExit("could not save the confirmation")
        boxes[0].reject()
        if await asking:
            raise SystemExit("the confirmation was accepted")

        about = AboutDialog(app.session.about(), window)
        about.open()
        await _settle()
        if not about.grab().save(str(out / "33_about_200.png")):
            raise SystemExit("could not save the About box")
        about.reject()
        about.deleteLater()
    finally:
        app.close_window()
        await app.stop()
        await asyncio.sleep(0.05)


def main() -> int:
    out, data_dir = Path(sys.argv[1]), Path(sys.argv[2])
    return run_in_spanish(lambda: shoot(out, data_dir))


if __name__ == "__main__":
    sys.exit(main())
