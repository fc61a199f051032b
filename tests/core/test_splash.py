"""Closing the packaged build's splash screen: a no-op everywhere else, never an error."""

from __future__ import annotations

import sys
import types

import pytest

from skindesk._splash import close_splash


class FakeSplash(types.ModuleType):
    def __init__(self, alive: bool = True, fails: bool = False) -> None:
        super().__init__("pyi_splash")
        self.alive, self.fails, self.closed = alive, fails, False

    def is_alive(self) -> bool:
        return self.alive

    def close(self) -> None:
        if self.fails:
            raise ConnectionError("bootloader gone")
        self.closed = True


@pytest.fixture
def splash(monkeypatch: pytest.MonkeyPatch) -> FakeSplash:
    fake = FakeSplash()
    monkeypatch.setitem(sys.modules, "pyi_splash", fake)
    return fake


def test_outside_a_bundle_nothing_happens(splash: FakeSplash,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setenv("_PYI_SPLASH_IPC", "12345")
    close_splash()
    assert not splash.closed


@pytest.mark.parametrize("ipc", [None, "0"])
def test_a_bundle_without_a_splash_does_not_import_it(ipc: str | None, splash: FakeSplash,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    if ipc is None:
        monkeypatch.delenv("_PYI_SPLASH_IPC", raising=False)
    else:
        monkeypatch.setenv("_PYI_SPLASH_IPC", ipc)
    close_splash()
    assert not splash.closed


def test_in_a_bundle_the_splash_closes_and_failures_are_swallowed(
        splash: FakeSplash, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setenv("_PYI_SPLASH_IPC", "12345")
    close_splash()
    assert splash.closed
    splash.fails, splash.closed = True, False
    close_splash()  # logged, not raised
    assert not splash.closed
