#!/usr/bin/env bash
# The perception table of docs/PERCEPTION.md: every split, clean and degraded, then the table.
#   bash scripts/eval_perception.sh DATASET_DIR [OUT_DIR]     (about 25 min on 2 CPU cores)
set -euo pipefail
D=${1:?usage: scripts/eval_perception.sh DATASET_DIR [OUT_DIR]}
O=${2:-runs/perception_eval}
mkdir -p "$O"
E=".venv/bin/img2asy eval perception --data $D"
for deg in "" "--degraded"; do
  tag=${deg:+degraded}; tag=${tag:-clean}
  $E --split test --source synthetic --per-family 5 $deg --json "$O/test_syn_$tag.json"
  $E --split test_ood --per-family 20 $deg --json "$O/ood_$tag.json"
  $E --split val --source math $deg --json "$O/val_math_$tag.json"
  $E --split test --source math $deg --json "$O/test_math_$tag.json"
done
.venv/bin/img2asy eval perception-table "$O"/test_syn_{clean,degraded}.json "$O"/ood_{clean,degraded}.json \
  "$O"/val_math_{clean,degraded}.json "$O"/test_math_{clean,degraded}.json | tee "$O/table.md"
