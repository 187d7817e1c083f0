"""Screenshots of a staff PC (issue 16) in Spanish at 1366x768, 100 % and 200 % scaling (look at
them): the window connected to the shop's server, the same while the server does not answer,
and the "Servidor de la tienda" settings page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SHOTS = {"window": (1366, 768), "window_offline": (1366, 768), "shop_page": (640, 520)}


@pytest.mark.slow
@pytest.mark.parametrize(("scale", "prefix"), [(1, "30_staff"), (2, "31_staff_200")])
def test_staff_pc_screenshots(
    tmp_path: Path, screenshot_dir: Path, pg_url: str, scale: int, prefix: str
) -> None:
    repo = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "QT_SCALE_FACTOR": str(scale),
        "PYTHONPATH": str(repo),
        "WABOT_TEST_PG_URL": pg_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.gui.staff_screenshot", str(screenshot_dir),
         str(tmp_path / "data"), prefix],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    from PySide6.QtGui import QImage

    for shot, (width, height) in SHOTS.items():
        image = QImage(str(screenshot_dir / f"{prefix}_{shot}.png"))
        assert (image.width(), image.height()) == (scale * width, scale * height), shot
