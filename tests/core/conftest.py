"""Fixtures for core tests: the fake Graph API and fake Ollama as real local servers, and a
migrated SQLite database file per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama
from wabot_desktop.core.store.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "wabot.db")
    database.migrate()
    yield database
    database.close()


@pytest_asyncio.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    async with FakeGraph() as fake:
        yield fake


@pytest_asyncio.fixture
async def ollama() -> AsyncIterator[FakeOllama]:
    async with FakeOllama(reply="¡Hola! Abrimos de 9 a 19 h.") as fake:
        yield fake


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield http
