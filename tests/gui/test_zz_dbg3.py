import asyncio, os, pytest
from tests.gui.helpers import running_core, until
from wabot_desktop.gui.main_window import MainWindow

@pytest.mark.asyncio
async def test_dbg(qtbot, tmp_path):
    async with running_core(tmp_path / "d") as env:
        w = MainWindow(env.service, enable_tray=False)
        w.show(); w.start()
        await asyncio.sleep(0.3)
        mode = os.environ["MODE"]
        if mode == "show":
            w._show_paused(True)
        elif mode == "service":
            await env.service.set_global_pause(True)
        elif mode == "action":
            await w.set_paused(True)
        elif mode == "icon":
            from wabot_desktop.gui.widgets.icons import make_icon
            from PySide6.QtGui import QColor
            w.view.pause_button.setIcon(make_icon("pause", QColor("red")))
        await asyncio.sleep(0.3)
        w.shutdown()
