"""Fixtures for core tests: the fake Graph API and fake Ollama as real local servers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama


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
