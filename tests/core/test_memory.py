"""Returning freed memory to the operating system."""

from __future__ import annotations

import sys

import pytest

from skindesk.core import memory


@pytest.fixture(autouse=True)
def _fresh_libc_lookup():
    memory._glibc.cache_clear()
    yield
    memory._glibc.cache_clear()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_on_linux_freed_heap_pages_go_back_after_a_large_object_is_dropped() -> None:
    if memory._glibc() is None:
        pytest.skip("not glibc")
    blocks = [bytearray(64 * 1024) for _ in range(2000)]  # 128 MB in small heap blocks
    del blocks
    assert memory.return_freed_memory() is True


def test_elsewhere_only_the_collection_runs(monkeypatch) -> None:
    monkeypatch.setattr(memory.sys, "platform", "win32")
    collected = []
    monkeypatch.setattr(memory.gc, "collect", lambda: collected.append(1))
    assert memory.return_freed_memory() is False
    assert collected == [1]
