import asyncio, pytest
from tests.gui.helpers import running_core, until
from wabot_desktop.gui.main_window import MainWindow

@pytest.mark.asyncio
async def test_dbg(qtbot, tmp_path):
    async with running_core(tmp_path / "d") as env:
        w = MainWindow(env.service, enable_tray=False)
        w.show(); w.start()
        await asyncio.sleep(0.5)
        w.shutdown()
