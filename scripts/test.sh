#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian/Ubuntu machine and run it.
# Usage: bash scripts/test.sh [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: a virtual X server for the GUI tests, poppler for PDF checks.
missing=()
command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb xauth)
command -v xdotool >/dev/null 2>&1 || missing+=(xdotool)
command -v xwininfo >/dev/null 2>&1 || missing+=(x11-utils)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# A CJK fallback font, so the PDF test with a Chinese patient name runs (reports/fonts.py).
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || missing+=(fonts-droid-fallback)
python3 -c "import tkinter" >/dev/null 2>&1 || missing+=(python3-tk)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test,build,legacy]"  # build: PyInstaller, for tests/packaging; legacy: tf_keras

export TF_CPP_MIN_LOG_LEVEL=2
exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m pytest "$@"
