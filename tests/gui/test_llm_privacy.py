"""The status bar shows, in Spanish, that conversations leave the PC for a remote model server."""

from __future__ import annotations

from typing import Any, cast

from pytestqt.qtbot import QtBot

from tests.gui.test_widgets import _health
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.status_bar import StatusBar


def test_status_bar_warns_when_the_model_server_is_not_on_this_pc(
    qtbot: QtBot, spanish: Translators
) -> None:
    bar = StatusBar(cast(Any, None))
    qtbot.addWidget(bar)
    remote = {"llm_provider": "openai", "llm_remote_host": "router.huggingface.co"}
    bar.show_health(_health(llm_model="Qwen/Qwen2.5-7B-Instruct", **remote))
    assert bar.llm.text() == "IA: Qwen/Qwen2.5-7B-Instruct lista, fuera de esta PC"
    assert bar.llm.level == "warning"
    assert bar.llm.toolTip() == "Las conversaciones salen de esta PC hacia router.huggingface.co."
    bar.show_health(_health(llm="down", **remote))
    assert bar.llm.text() == "IA: el servidor del modelo no responde"
    assert "salen de esta PC hacia router.huggingface.co" in bar.llm.toolTip()
    bar.show_health(_health(llm_provider="openai"))  # 127.0.0.1: no warning
    assert bar.llm.text() == "IA: qwen2.5:3b lista" and "salen" not in bar.llm.toolTip()
