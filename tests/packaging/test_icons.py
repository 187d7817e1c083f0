"""The icon set: rendered from the SVG source, every size there, .ico and .icns complete."""

from __future__ import annotations

import hashlib
import struct
import tomllib
from pathlib import Path

import pytest

from wabot_desktop import __version__
from wabot_desktop.core import resources

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("size", SIZES)
def test_png_sizes(size: int) -> None:
    assert png_size(ICONS / "png" / f"wabot-{size}.png") == (size, size)


def test_renders_match_the_svg_source() -> None:
    svg = resources.read_bytes("icons/wabot.svg")
    recorded = (ICONS / "source.sha256").read_text().strip()
    assert recorded == hashlib.sha256(svg).hexdigest(), (
        "wabot.svg changed: run resources/icons/make_icons.py"
    )


def test_ico_holds_every_windows_size() -> None:
    data = (ICONS / "wabot.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for i in range(count):
        w, h = data[6 + 16 * i], data[7 + 16 * i]
        sizes.add((w or 256, h or 256))
    assert {(s, s) for s in (16, 24, 32, 48, 64, 128, 256)} <= sizes


def test_icns_is_an_apple_icon_with_big_sizes() -> None:
    data = (ICONS / "wabot.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    kinds = set()
    offset = 8
    while offset < len(data):
        kind = data[offset : offset + 4]
        length = struct.unpack(">I", data[offset + 4 : offset + 8])[0]
        kinds.add(kind)
        offset += length
    assert {b"ic09", b"ic08"} <= kinds  # 512 and 256 px


def test_version_is_the_package_metadata() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        assert __version__ == tomllib.load(f)["project"]["version"]


def test_deb_desktop_entry_names_the_installed_icon_and_launcher() -> None:
    entry = (ROOT / "packaging" / "linux" / "wabot-desktop.desktop").read_text()
    assert "\nExec=wabot-desktop" in entry and "\nIcon=wabot-desktop\n" in entry
