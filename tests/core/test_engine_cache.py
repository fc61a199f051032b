"""The engine cache: one engine per model file, the least recently used released."""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from skindesk.core.service import EngineCache


@dataclass(frozen=True)
class _Card:
    """Just what the cache reads from a model card."""

    id: str
    sha256: str = "0" * 64
    model_path: Path = Path("/models/x.keras")
    threshold: float = 0.5


class _Engine:
    made = 0

    def __init__(self, card: _Card) -> None:
        _Engine.made += 1
        self.card = card


def _card(name: str) -> _Card:
    return _Card(name, model_path=Path(f"/models/{name}.keras"))


def test_an_engine_is_made_once_per_model_file_and_reused() -> None:
    cache = EngineCache()
    first = cache.get(_card("a"), _Engine)
    assert cache.get(_card("a"), _Engine) is first
    other_file = replace(_card("a"), sha256="1" * 64)
    assert cache.get(other_file, _Engine) is not first


def test_an_edited_card_replaces_the_cached_engines_card() -> None:
    cache = EngineCache()
    engine = cache.get(_card("a"), _Engine)
    edited = replace(_card("a"), threshold=0.2)
    assert cache.get(edited, _Engine) is engine
    assert engine.card.threshold == 0.2


def test_the_least_recently_used_engine_is_released_beyond_the_capacity() -> None:
    cache = EngineCache(capacity=2)
    a = cache.get(_card("a"), _Engine)
    cache.get(_card("b"), _Engine)
    assert cache.get(_card("a"), _Engine) is a  # a is now the most recent
    cache.get(_card("c"), _Engine)  # so b goes
    assert len(cache) == 2
    assert cache.get(_card("a"), _Engine) is a
    made = _Engine.made
    cache.get(_card("b"), _Engine)
    assert _Engine.made == made + 1  # b was loaded again


def test_a_released_engine_is_freed_once_nothing_uses_it() -> None:
    cache = EngineCache(capacity=1)
    released = weakref.ref(cache.get(_card("a"), _Engine))
    cache.get(_card("b"), _Engine)
    gc.collect()
    assert released() is None


def test_a_job_still_running_on_a_released_engine_keeps_it() -> None:
    cache = EngineCache(capacity=1)
    in_use = cache.get(_card("a"), _Engine)
    cache.get(_card("b"), _Engine)
    gc.collect()
    assert in_use.card.id == "a"  # still usable by whoever holds it


def test_without_a_capacity_every_engine_is_kept() -> None:
    cache = EngineCache(capacity=None)
    engines = [cache.get(_card(name), _Engine) for name in "abcde"]
    assert [cache.get(_card(name), _Engine) for name in "abcde"] == engines


def test_the_app_keeps_two_models_loaded_by_default() -> None:
    assert EngineCache().capacity == 2
    with pytest.raises(ValueError, match="at least one"):
        EngineCache(capacity=0)


def test_releasing_an_engine_hands_its_memory_back(monkeypatch) -> None:
    from skindesk.core import service

    calls = []
    monkeypatch.setattr(service, "return_freed_memory", lambda: calls.append("trim"))
    cache = EngineCache(capacity=1)
    cache.get(_card("a"), _Engine)
    cache.get(_card("a"), _Engine)
    assert calls == []  # nothing released yet
    cache.get(_card("b"), _Engine)
    assert calls == ["trim"]
