"""``serve`` runs on uvloop where it is installed; the standard loop is the fallback."""

from __future__ import annotations

import asyncio
import builtins
import sys
from pathlib import Path
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


def test_serve_commits_a_lone_webhook_on_its_loop_on_sqlite_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wabot_desktop.app import build_parser
    from wabot_desktop.core.headless import DATABASE_URL_ENV, config_from_args

    monkeypatch.delenv("WABOT_INGEST_INLINE", raising=False)
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    parser = build_parser()
    local = ["serve", "--data-dir", str(tmp_path)]
    assert config_from_args(parser.parse_args(local)).ingest_inline_max == 1
    # PostgreSQL: every statement is a round trip the loop would wait for.
    shop = [*local, "--database-url", "postgresql+psycopg://wabot@db.local/shop"]
    assert config_from_args(parser.parse_args(shop)).ingest_inline_max == 0
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql+psycopg://wabot@db.local/shop")
    assert config_from_args(parser.parse_args(local)).ingest_inline_max == 0
    monkeypatch.setenv("WABOT_INGEST_INLINE", "0")
    monkeypatch.delenv(DATABASE_URL_ENV)
    assert config_from_args(parser.parse_args(local)).ingest_inline_max == 0
