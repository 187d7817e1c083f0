"""Fixtures of the end-to-end tests: the fake Graph API and the fake Ollama, each in a thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.graph import FakeGraph
from tests.fakes.ollama import FakeOllama


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph.in_thread() as fake:
        yield fake


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    with FakeOllama.in_thread(reply="Con gusto le ayudo.") as fake:
        yield fake
