"""Save screenshots of the settings pages in Spanish (run in a subprocess by the tests).

Usage: ``[QT_SCALE_FACTOR=2] python -m tests.gui.settings_screenshot OUT_DIR DATA_DIR PREFIX``.
Shown: the AI-model page on Ollama, on Hugging Face (the privacy warning), the voice page while a
model downloads (progress bar, bytes, speed, Cancel) and with a folder model.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from tests.fakes.hf_hub import FakeHub  # noqa: E402
from tests.gui.helpers import running_core, until  # noqa: E402
from tests.voice_audio import test_model_path  # noqa: E402
from wabot_desktop.gui import i18n, theme  # noqa: E402
from wabot_desktop.gui.event_loop import new_event_loop  # noqa: E402
from wabot_desktop.gui.settings_dialog import SettingsDialog  # noqa: E402


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0.03)


def save(widget: QWidget, out: Path) -> None:
    if not widget.grab().save(str(out)):
        raise SystemExit(f"could not save {out}")


async def shoot(out_dir: Path, data_dir: Path, prefix: str) -> None:
    repos = {"Systran/faster-whisper-small": test_model_path()}
    async with (
        running_core(data_dir) as env,
        FakeHub(repos, chunk_size=32 * 1024, chunk_delay=0.05) as hub,
    ):
        assert env.core.voice is not None
        env.core.voice.download_endpoint = hub.base_url
        dialog = SettingsDialog(env.service)
        dialog.show()
        await dialog._load()
        page = dialog.llm_page
        dialog.tabs.setCurrentWidget(page)
        await until(lambda: page.refresh_task is not None and page.refresh_task.done())
        await settle()
        save(dialog, out_dir / f"{prefix}_llm_ollama.png")

        page.provider_combo.setCurrentIndex(page.provider_combo.findData("openai"))
        index = page.preset_combo.findData("huggingface")
        page.preset_combo.setCurrentIndex(index)
        page.preset_combo.activated.emit(index)
        await until(lambda: page.privacy_label.isVisible(), what="warning")
        await until(lambda: page.refresh_task is not None and page.refresh_task.done())
        await settle()
        save(dialog, out_dir / f"{prefix}_llm_huggingface_warning.png")

        voice = dialog.voice_page
        dialog.tabs.setCurrentWidget(voice)
        voice.picker.select("small")
        voice.picker.start_download()
        await until(lambda: voice.picker.progress.value() > 20, timeout=30, what="progress")
        await settle()
        save(dialog, out_dir / f"{prefix}_voice_downloading.png")
        voice.picker.cancel_download()
        task = voice.picker.download_task
        assert task is not None
        await asyncio.wait_for(asyncio.shield(task), 30)

        voice.picker.select(str(test_model_path()))
        await settle()
        save(dialog, out_dir / f"{prefix}_voice_folder.png")
        dialog.reject()
        await settle()


def main() -> int:
    out_dir, data_dir, prefix = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    theme.apply_theme(app, "light")
    translators = i18n.Translators()
    translators.install(i18n.SPANISH)
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(out_dir, data_dir, prefix))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
