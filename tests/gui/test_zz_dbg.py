import asyncio, pytest
from pathlib import Path
from tests.gui.helpers import running_core, until
from wabot_desktop.gui.main_window import MainWindow

@pytest.mark.asyncio
async def test_dbg(qtbot, tmp_path):
    async with running_core(tmp_path / "d") as env:
        w = MainWindow(env.service, enable_tray=False)
        w.show(); w.start()
        await env.customer_says("5215511112222", "X", "hola")
        await until(lambda: w.monitor.chat_list.model.rowCount() == 1)
        cid = w.monitor.chat_list.model.ids()[0]
        print("msgs", await env.service.get_messages(cid))
        w.monitor.open_conversation(cid)
        m = w.monitor.conversation.model
        print("cid", m.conversation_id, m.loading, m._tasks.pending)
        await asyncio.sleep(1)
        print("rows", m.rowCount(), m.loading, m._tasks.pending)
        w.shutdown()
