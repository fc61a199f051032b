"""The engine never imports a GUI toolkit and never opens a network connection."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import PROJECT_ROOT


def test_core_imports_no_gui_toolkit():
    # A fresh interpreter where importing tkinter fails: every core module must still import.
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        for blocked in ("tkinter", "_tkinter", "ttkbootstrap", "tkinterdnd2"):
            sys.modules[blocked] = None
        import skindesk.core
        names = [m.name for m in pkgutil.walk_packages(skindesk.core.__path__, "skindesk.core.")]
        for name in names:
            importlib.import_module(name)
        import skindesk.cli
        print(len(names))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 10


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a connection (IPv4, IPv6 or DNS lookup) fails the test."""

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.slow
def test_prediction_uses_no_network(no_network, default_engine, tmp_path, capsys):
    import cv2
    import numpy as np

    from skindesk.cli import main

    image = tmp_path / "lesion.png"
    rgb = np.full((120, 160, 3), (200, 150, 130), np.uint8)
    cv2.circle(rgb, (80, 60), 30, (90, 50, 40), -1)
    cv2.imwrite(str(image), rgb[..., ::-1])
    assert main(["predict", str(image), "--json"]) == 0
    assert '"malignant_probability"' in capsys.readouterr().out
