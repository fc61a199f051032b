"""Shared fixtures: isolated user folders, the real data folder, output folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# ../shared/data next to the checkout; SKINDESK_SHARED_DATA points elsewhere.
SHARED_DATA = Path(
    os.environ.get("SKINDESK_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data")
)
TEST_OUTPUT = PROJECT_ROOT / "test-output"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own SKINDESK_HOME, so nothing touches the real user folders."""
    home = tmp_path_factory.mktemp("skindesk-home")
    monkeypatch.setenv("SKINDESK_HOME", str(home))
    return home


@pytest.fixture(autouse=True, scope="session")
def keep_every_engine_loaded():
    """Lift the engine cache's bound for the suite's in-process service.

    The app keeps its two most recently used models loaded; the suite makes
    hundreds of small models in temporary folders, and under that bound they
    would push the bundled default out between tests and make it load again
    and again. The bound itself is tested in tests/core/test_engine_cache.py.
    """
    from skindesk.core import service

    capacity, service._ENGINES.capacity = service._ENGINES.capacity, None
    yield
    service._ENGINES.capacity = capacity


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real dermoscopy data in ../shared/data; skips when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real dermoscopy data not found at {SHARED_DATA} (see README: Tests)")
    return SHARED_DATA


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """A per-test folder under test-output/ for screenshots and files to look at."""
    folder = TEST_OUTPUT / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
