"""The prompt editor window against a real core (fake Graph and fake Ollama)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import QDir, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.fakes.ollama import free_port
from tests.gui.helpers import choose_in_file_dialog, running_core, until, visible_child
from wabot_desktop.core.llm.ollama_provider import OllamaProvider
from wabot_desktop.gui.i18n import Translators
from wabot_desktop.gui.main_window import MainWindow
from wabot_desktop.gui.prompt_editor import PromptEditorWindow

SIZE = (1366, 768)


async def _settle() -> None:
    for _ in range(15):
        await asyncio.sleep(0.03)


@pytest.mark.asyncio
async def test_edit_chips_preview_save_rollback_checks_and_import(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with running_core(tmp_path / "data", reply="Los domingos estamos cerrado. 🙂") as env:
        editor = PromptEditorWindow(env.core.service)
        qtbot.addWidget(editor)
        await editor.load()
        assert editor.preview_edit.toPlainText().startswith("[system]")

        # editing + chips: the preview follows each keystroke, unknown variables are flagged
        editor.prompt_edit.setPlainText("Eres el bot de ")
        editor.prompt_edit.moveCursor(editor.prompt_edit.textCursor().MoveOperation.End)
        editor.chips["negocio"].click()
        assert editor.prompt_edit.toPlainText() == "Eres el bot de {negocio}"
        editor.name_edit.setText("Heladería Polo")
        assert "Eres el bot de Heladería Polo" in editor.preview_edit.toPlainText()
        editor.prompt_edit.insertPlainText(" {precio}")
        assert "{precio}" in editor.unknown_label.text()
        assert "tokens" in editor.tokens_label.text()
        editor.prompt_edit.setPlainText("Eres el bot de {negocio}.")
        assert editor.unknown_label.text() == ""

        # save a version: the bot uses it at once (and the rules' settings follow)
        editor.greeting_check.setChecked(True)
        editor.handoff_edit.setText("humano, encargado")
        editor.note_edit.setText("nombre nuevo")
        first = await editor.save_version()
        assert first is not None and env.core.knowledge.version == first
        assert env.core.settings.business_name == "Heladería Polo"
        assert env.core.settings.greeting_enabled is True
        assert env.core.settings.handoff_keywords == ("humano", "encargado")
        editor.name_edit.setText("Otra cosa")
        second = await editor.save_version()
        assert second is not None and editor.versions_list.count() == 2

        # diff and rollback
        editor.versions_list.setCurrentRow(1)
        await until(lambda: "Heladería Polo" in editor.diff_view.toPlainText(), what="diff")
        restored = await editor.rollback_selected()
        assert restored is not None and env.core.knowledge.knowledge.facts.name == "Heladería Polo"
        assert editor.name_edit.text() == "Heladería Polo" and editor.versions_list.count() == 3

        # checks stream against the draft: the starter "¿Abren el domingo?" passes
        results = await editor.run_all_checks()
        assert len(results) == editor.checks_table.rowCount() == 3
        assert [r.passed for r in results][0] is True
        assert editor.checks_table.item(0, 3).text().startswith("Pasa")  # type: ignore[union-attr]
        assert "de 3" in editor.checks_label.text()

        # try it: streamed answer with speed figures
        editor.try_edit.setText("¿abren el domingo?")
        answer = await editor.try_message()
        assert answer == "Los domingos estamos cerrado. 🙂"
        assert "Los domingos estamos cerrado." in editor.chat_view.toPlainText()
        assert "tokens/s" in editor.speed_label.text()

        # import with a bad row: reported by line, nothing imported
        bad = tmp_path / "precios.csv"
        bad.write_text("producto,precio\nCucurucho,1500\nPote,caro\n", "utf-8")
        result = await editor.import_file(bad)
        assert result is not None and [b.line for b in result.bad_rows] == [3]
        assert "Línea 3" in editor.import_label.text() and editor.price_table.rowCount() == 0
        bad.write_text('producto,precio\nCucurucho,1500\nPote,"2.500"\n', "utf-8")
        await editor.import_file(bad)
        assert editor.price_table.rowCount() == 2
        assert "Pote: $2.500" in editor.preview_edit.toPlainText()
        editor.close()


@pytest.mark.asyncio
async def test_import_and_export_dialogs_leave_the_bots_tasks_running_while_open(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    """The file dialogs are awaited, not nested event loops: with ``getOpenFileName`` inside the
    button's coroutine every other task (the bot's workers, the outbox) failed with "Cannot
    enter into task" while the dialog was open and never ran again."""
    loop = asyncio.get_running_loop()
    errors: list[object] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context.get("exception")))
    async with running_core(tmp_path / "data") as env:
        editor = PromptEditorWindow(env.core.service)
        qtbot.addWidget(editor)
        await editor.load()
        table = tmp_path / "precios.csv"
        table.write_text('producto,precio\nCucurucho,1500\nPote,"2.500"\n', "utf-8")
        ticks = 0

        async def another_task() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        other = asyncio.create_task(another_task())
        export = tmp_path / "export"
        export.mkdir()
        try:
            for button, name, chosen in (
                (editor.import_button, "knowledgeImportDialog", table),
                (editor.export_button, "knowledgeExportDialog", export),
            ):
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                dialog = await visible_child(editor, QFileDialog, name)
                assert isinstance(dialog, QFileDialog)
                assert dialog.directory().absolutePath() == QDir.homePath()  # not the app's
                before = ticks
                await until(lambda before=before: ticks >= before + 5, what="the other task")
                await choose_in_file_dialog(editor, name, chosen)
                if chosen is table:
                    await until(lambda: editor.price_table.rowCount() == 2, what="prices")
            await until(lambda: any(export.iterdir()), what="the export written")
            assert not other.done() and errors == []
        finally:
            other.cancel()
            loop.set_exception_handler(previous)
        editor.close()


@pytest.mark.asyncio
async def test_try_and_checks_explain_how_to_enable_without_ollama(
    qtbot: QtBot, tmp_path: Path, spanish: Translators
) -> None:
    async with running_core(tmp_path / "data") as env:
        service = env.core.service
        live = service.llm
        service.llm = OllamaProvider(host=f"http://127.0.0.1:{free_port()}")  # nothing listens
        try:
            editor = PromptEditorWindow(service)
            qtbot.addWidget(editor)
            await editor.load()
            assert await editor.run_all_checks() == []
            assert "ollama pull" in editor.checks_label.text()
            editor.try_edit.setText("hola")
            assert await editor.try_message() is None
            assert "ollama pull" in editor.speed_label.text()
            editor.close()
        finally:
            await service.llm.aclose()
            service.llm = live


@pytest.mark.asyncio
async def test_screenshots_of_each_tab(
    qtbot: QtBot, tmp_path: Path, screenshot_dir: Path, spanish: Translators, light_theme: None
) -> None:
    async with running_core(tmp_path / "data") as env:
        window = MainWindow(env.core.service, enable_tray=False)
        qtbot.addWidget(window)
        window.resize(*SIZE)
        window.show()
        window.start()
        window.view.knowledge_action.trigger()
        await until(lambda: window.prompt_editor is not None and window.prompt_editor.isVisible())
        editor = window.prompt_editor
        assert editor is not None
        editor.resize(*SIZE)
        for index in range(editor.tabs.count()):
            editor.tabs.setCurrentIndex(index)
            await _settle()
            path = screenshot_dir / f"editor_{index + 1}.png"
            assert editor.grab().save(str(path)), path
        assert editor.windowFlags() & Qt.WindowType.Window
        window.shutdown()  # closes the editor with the rest of what talks to the core
        assert window.prompt_editor is None
        await asyncio.sleep(0)
