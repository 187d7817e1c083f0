"""``serve`` runs on uvloop where it is installed; the standard loop is the fallback."""

from __future__ import annotations

import asyncio
import builtins
import sys
from typing import Any

import pytest

from wabot_desktop.core.headless import serve_loop_factory


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not installed on Windows")
def test_serve_uses_uvloop_where_installed() -> None:
    import uvloop

    factory = serve_loop_factory()
    assert factory is uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        assert isinstance(runner.get_loop(), uvloop.Loop)


def test_standard_loop_without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_uvloop(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "uvloop":
            raise ImportError("uvloop not installed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uvloop)
    assert serve_loop_factory() is None
    with asyncio.Runner(loop_factory=serve_loop_factory()) as runner:
        assert type(runner.get_loop()).__module__.startswith("asyncio")
