"""Screenshots of the settings pages in Spanish at 100 % and 200 % scaling (look at them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PAGES = ("llm_ollama", "llm_huggingface_warning", "voice_downloading", "voice_folder")
SIZE = (640, 520)  # the dialog's size: fits a 1366x768 screen with room for the taskbar


@pytest.mark.slow
@pytest.mark.parametrize(("scale", "prefix"), [(1, "20_settings"), (2, "21_settings_200")])
def test_settings_pages_screenshots(
    tmp_path: Path, screenshot_dir: Path, scale: int, prefix: str
) -> None:
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_SCALE_FACTOR": str(scale), "PYTHONPATH": str(repo)}
    result = subprocess.run(
        [sys.executable, "-m", "tests.gui.settings_screenshot", str(screenshot_dir),
         str(tmp_path / "data"), prefix],
        cwd=repo, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    from PySide6.QtGui import QImage

    for page in PAGES:
        image = QImage(str(screenshot_dir / f"{prefix}_{page}.png"))
        assert (image.width(), image.height()) == (scale * SIZE[0], scale * SIZE[1]), page
