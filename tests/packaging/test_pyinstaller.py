"""The PyInstaller executable: built from build.spec, then used like a clinician would.

The module builds ``skindesk`` once (one file, into a temporary dist folder,
from this checkout, which CI clones fresh) and then runs it: ``--version``
without a display, ``predict --json`` against the installed package's numbers,
``scan --csv``, and the desktop app under Xvfb until its main window shows.
Every run has its own ``SKINDESK_HOME`` and starts in the dist folder, which
must come out unchanged: nothing is written next to the executable.

Set ``SKINDESK_EXECUTABLE=dist/skindesk`` to test an executable already built
instead (saves the build's minutes). Deselect with ``-m "not build"``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from skindesk import __version__
from tests.conftest import PROJECT_ROOT
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask

pytestmark = pytest.mark.build

EXE_NAME = "skindesk.exe" if sys.platform.startswith("win") else "skindesk"
BUILD_TIMEOUT = 40 * 60  # 6 to 9 minutes on the busy 2-core reference machine
RUN_TIMEOUT = 300  # one start unpacks ~1.7 GB, then imports TensorFlow and loads the model
MAIN_WINDOW = "^SkinDesk$"
SPLASH_WINDOW = "^tk$"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


class Executable:
    """The built program, run from its own folder, which it must leave as it found it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.parent
        self.contents = snapshot(self.folder)

    def env(self, home: Path, **extra: str) -> dict[str, str]:
        return {**os.environ, "SKINDESK_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "2", **extra}

    def run(self, *args: str, home: Path, **extra: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(self.path), *args], cwd=self.folder,
                                env=self.env(home, **extra), capture_output=True, text=True,
                                timeout=RUN_TIMEOUT, check=False)
        self.assert_unchanged()
        return result

    def assert_unchanged(self) -> None:
        assert snapshot(self.folder) == self.contents, "files written next to the executable"


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller on build.spec (one file); the path of the executable."""
    command = [sys.executable, "-m", "PyInstaller", str(PROJECT_ROOT / "build.spec"),
               "--noconfirm", "--distpath", str(dist), "--workpath", str(work)]
    env = {**os.environ, "SKINDESK_ONEDIR": "0", "SKINDESK_GPU": "0"}
    started = time.monotonic()
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT, check=False)
    work.mkdir(parents=True, exist_ok=True)
    log = work / "pyinstaller.log"
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, f"PyInstaller failed; last lines:\n{result.stderr[-3000:]}"
    executable = dist / EXE_NAME
    size_mb = executable.stat().st_size / 1e6
    print(f"\nbuilt {executable} ({size_mb:.0f} MB) in {time.monotonic() - started:.0f} s")
    return executable


@pytest.fixture(scope="module")
def executable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Executable]:
    """The one-file executable: built once for this module, or $SKINDESK_EXECUTABLE."""
    given = os.environ.get("SKINDESK_EXECUTABLE")
    if given:
        yield Executable(Path(given).resolve())
        return
    pytest.importorskip("PyInstaller", reason='needs pip install -e ".[build]"')
    root = tmp_path_factory.mktemp("pyinstaller")
    path = build(root / "dist", root / "build")
    shutil.rmtree(root / "build", ignore_errors=True)  # ~1.5 GB of intermediate files
    yield Executable(path)
    shutil.rmtree(root, ignore_errors=True)  # pytest keeps the last three temporary folders


@pytest.fixture(scope="module")
def lesion_images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two small synthetic dermoscopy-like PNGs and one broken 'JPEG'."""
    folder = tmp_path_factory.mktemp("lesions")
    for seed, hairs in ((1, 0), (2, 3)):
        image = dermoscopy_like(ellipse_mask(240, 320), hairs=hairs, corners=True, seed=seed)
        cv2.imwrite(str(folder / f"lesion-{seed}.png"), image[..., ::-1])
    (folder / "broken.jpg").write_text("not a picture", encoding="utf-8")
    return folder


def test_version_answers_without_a_display(executable: Executable, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([str(executable.path), "--version"], cwd=executable.folder,
                            env={**env, "SKINDESK_HOME": str(tmp_path)}, capture_output=True,
                            text=True, timeout=RUN_TIMEOUT, check=False)
    executable.assert_unchanged()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"SkinDesk {__version__}"


def test_bundled_model_is_read_from_inside_the_bundle(executable: Executable,
                                                      tmp_path: Path) -> None:
    result = executable.run("models", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    models = json.loads(result.stdout)
    default = next(m for m in models if m.get("default"))
    bundled = json.loads((PROJECT_ROOT / "models" / "index.json").read_text())["default"]
    assert default["bundled"] and default["id"] == bundled
    assert {"ham10000-xception", bundled} <= {m["id"] for m in models}
    model_path = Path(default["path"])
    assert PROJECT_ROOT not in model_path.parents, "the model came from the checkout"
    assert executable.folder not in model_path.parents or "_internal" in model_path.parts


def predict_json(command: list[str], image: Path, home: Path, cwd: Path) -> dict:
    result = subprocess.run([*command, "predict", str(image), "--json"], cwd=cwd,
                            env={**os.environ, "SKINDESK_HOME": str(home),
                                 "TF_CPP_MIN_LOG_LEVEL": "2"},
                            capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_predict_gives_the_installed_package_numbers(executable: Executable, lesion_images: Path,
                                                     tmp_path: Path) -> None:
    image = lesion_images / "lesion-2.png"
    frozen = predict_json([str(executable.path)], image, tmp_path / "frozen", executable.folder)
    executable.assert_unchanged()
    installed = predict_json([sys.executable, "-m", "skindesk"], image, tmp_path / "installed",
                             tmp_path)
    assert frozen["model"] == installed["model"]
    assert frozen["top_class"] == installed["top_class"]
    assert frozen["flagged"] == installed["flagged"]
    assert frozen["threshold"] == pytest.approx(installed["threshold"], abs=1e-12)
    assert frozen["malignant_probability"] == pytest.approx(installed["malignant_probability"],
                                                            abs=1e-5)
    assert frozen["probabilities"].keys() == installed["probabilities"].keys()
    for class_id, p in installed["probabilities"].items():
        assert frozen["probabilities"][class_id] == pytest.approx(p, abs=1e-5), class_id
    # User data (here the log) goes to the user's folders, i.e. $SKINDESK_HOME.
    assert (tmp_path / "frozen" / "logs" / "skindesk.log").is_file()


def test_scan_writes_a_csv_row_per_file(executable: Executable, lesion_images: Path,
                                        tmp_path: Path) -> None:
    out = tmp_path / "scan.csv"
    result = executable.run("scan", str(lesion_images), "--csv", str(out), home=tmp_path / "home")
    assert result.returncode == 1, result.stderr  # 1: one file failed, the others were analysed
    with open(out, newline="", encoding="utf-8") as handle:
        rows = {Path(row["path"]).name: row for row in csv.DictReader(handle)}
    assert set(rows) == {"lesion-1.png", "lesion-2.png", "broken.jpg"}
    assert rows["broken.jpg"]["status"] != "ok" and rows["broken.jpg"]["error"]
    for name in ("lesion-1.png", "lesion-2.png"):
        row = rows[name]
        bundled = json.loads((PROJECT_ROOT / "models" / "index.json").read_text())["default"]
        assert row["status"] == "ok" and row["model_id"] == bundled
        total = sum(float(v) for k, v in row.items() if k.startswith("p_") and k != "p_malignant")
        assert total == pytest.approx(1, abs=1e-4)


def xdotool(*args: str) -> str:
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=30,
                          check=False).stdout.strip()


def wait_for_window(process: subprocess.Popen[str], title: str, timeout: float) -> str:
    """The X window id of the first visible window named ``title`` (a regex)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = xdotool("search", "--onlyvisible", "--name", title)
        if found:
            return found.split()[0]
        if process.poll() is not None:
            errors = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"the app exited ({process.returncode}) before its window:\n"
                                 f"{errors[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"no window named {title} within {timeout:.0f} s")


def assert_splash_closes(timeout: float) -> None:
    """The bootloader's splash (a Tk window named "tk") goes once the app closed it."""
    deadline = time.monotonic() + timeout
    while xdotool("search", "--onlyvisible", "--name", SPLASH_WINDOW):
        assert time.monotonic() < deadline, "the splash screen stayed up"
        time.sleep(0.2)


def assert_exits(pid: int, timeout: float) -> None:
    """Wait until process ``pid`` is gone (the engine process ends with the app)."""
    def running() -> bool:
        try:  # a zombie ("Z") has exited and only waits for its parent to reap it
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False

    deadline = time.monotonic() + timeout
    while running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running(), f"the engine process {pid} outlived the app"


def test_app_opens_its_main_window_and_quits(executable: Executable, tmp_path: Path) -> None:
    if not os.environ.get("DISPLAY") or not shutil.which("xdotool"):
        pytest.skip("needs a display and xdotool: run under xvfb-run (scripts/test.sh)")
    started = time.monotonic()
    process = subprocess.Popen([str(executable.path)], cwd=executable.folder,
                               env=executable.env(tmp_path, SKINDESK_REPORT_READY="1"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        window = wait_for_window(process, MAIN_WINDOW, RUN_TIMEOUT)
        print(f"\nmain window after {time.monotonic() - started:.1f} s")
        assert process.stdout is not None
        assert process.stdout.readline().startswith("SKINDESK_READY")  # mapped and idle
        assert_splash_closes(timeout=10)
        # The model loads in the engine process: this executable started again by
        # multiprocessing (freeze_support), which must become the engine, not a second app.
        model_line = process.stdout.readline().split()
        assert model_line[:1] == ["SKINDESK_MODEL_READY"] and model_line[3] == "ready", model_line
        print(f"model ready {float(model_line[1]) / 1000:.1f} s after start, "
              f"longest Tk stall meanwhile {model_line[2]} ms")
        xdotool("windowfocus", window)
        time.sleep(0.5)
        xdotool("key", "ctrl+q")
        assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.terminate()  # the bootloader passes it on and removes its unpacked files
            process.wait(timeout=60)
    executable.assert_unchanged()
    log = (tmp_path / "logs" / "skindesk.log").read_text(encoding="utf-8")
    assert "tkdnd" in log and "drag and drop unavailable" not in log  # native library bundled
    assert "[engine process] loaded" in log
    engine_pid = int(re.search(r"started the engine process \(pid (\d+)\)", log).group(1))
    assert_exits(engine_pid, timeout=20)
