#!/usr/bin/env bash
# Build the SkinDesk executable with PyInstaller (see build.spec and the README).
# Usage: bash scripts/build.sh [--onedir] [--gpu] [extra pyinstaller arguments...]
#   default   dist/skindesk (Windows: dist/skindesk.exe), one file, CPU
#   --onedir  dist/skindesk/ folder: starts faster, many files to ship
#   --gpu     keep the NVIDIA CUDA libraries (Linux, after pip install -e ".[gpu]")
set -euo pipefail
cd "$(dirname "$0")/.."

export SKINDESK_ONEDIR=0 SKINDESK_GPU=0
args=()
for arg in "$@"; do
    case "$arg" in
        --onedir) SKINDESK_ONEDIR=1 ;;
        --gpu) SKINDESK_GPU=1 ;;
        *) args+=("$arg") ;;
    esac
done

python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
"$python" -m pip install -q -e ".[build]"
start=$(date +%s)
"$python" -m PyInstaller build.spec --noconfirm ${args[@]+"${args[@]}"}
echo "built in $(( $(date +%s) - start )) s:"
du -sh dist/skindesk* 2>/dev/null
