#!/usr/bin/env bash
# README command 1: set everything up, then run the main job.
# Until `img2asy run` lands, the main job is a small dataset build (every family, the real
# MATH diagrams, stats.json and a contact sheet) into out/dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/img2asy data build --out out/dataset --n-synthetic "${N_SYNTHETIC:-200}" --seed 0
.venv/bin/img2asy data sheet --data out/dataset --out out/dataset/contact_sheet.png
