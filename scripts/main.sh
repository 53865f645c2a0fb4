#!/usr/bin/env bash
# README command 1: set everything up, then run the main job:
#   1. the pipeline (perception -> codegen, default backend) on the bundled example images
#      into out/examples (<stem>.asy, <stem>.png, <stem>.graph.json, results.csv);
#   2. a small dataset build (every family plus the real MATH diagrams) into out/dataset,
#      with stats.json and a contact sheet.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/img2asy run examples --out out/examples
.venv/bin/img2asy data build --out out/dataset --n-synthetic "${N_SYNTHETIC:-200}" --seed 0
.venv/bin/img2asy data sheet --data out/dataset --out out/dataset/contact_sheet.png
