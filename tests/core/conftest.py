"""Fixtures for core tests that need the real bundled model (loaded once)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def default_engine():
    """The bundled default model's engine, loaded once for the whole session."""
    from skindesk.core.service import SkinDeskService

    engine = SkinDeskService().engine()
    engine.load()
    return engine
