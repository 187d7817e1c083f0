"""Render the app icon from its SVG source: ``.venv/bin/python resources/icons/make_icons.py``.

Source: ``wabot_desktop/resources/icons/wabot.svg`` (the one drawing of the brand). Writes
``resources/icons/png/wabot-<N>.png`` (Qt's SVG renderer, antialiased), ``wabot.ico`` (Windows,
16-256) and ``wabot.icns`` (macOS, 16-512) packed by Pillow (the ``build`` extra). The outputs
are committed; ``tests/packaging/test_icons.py`` checks they exist, have the right sizes and are
not older renders of a changed SVG (the SVG's hash is recorded in ``source.sha256``).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SVG = ROOT / "wabot_desktop" / "resources" / "icons" / "wabot.svg"
OUT = Path(__file__).resolve().parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def svg_hash() -> str:
    return hashlib.sha256(SVG.read_bytes()).hexdigest()


def render_pngs() -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")
    (OUT / "png").mkdir(exist_ok=True)
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = OUT / "png" / f"wabot-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"cannot write {path}")
        written.append(path)
    return written


def pack() -> None:
    from PIL import Image

    biggest = Image.open(OUT / "png" / "wabot-512.png")
    # Pillow resizes from the biggest frame unless given each size: hand it our renders.
    frames = [Image.open(OUT / "png" / f"wabot-{s}.png") for s in ICO_SIZES]
    frames[-1].save(
        OUT / "wabot.ico",
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=frames[:-1],
    )
    icns_frames = [Image.open(OUT / "png" / f"wabot-{s}.png") for s in (16, 32, 64, 128, 256)]
    biggest.save(OUT / "wabot.icns", format="ICNS", append_images=icns_frames)


def main() -> None:
    render_pngs()
    pack()
    (OUT / "source.sha256").write_text(svg_hash() + "\n")
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
