#!/usr/bin/env bash
# Overfitting made visible: fashion-cnn on 1,000 training images (800 to train, 200 held out for
# validation), 60 epochs, without and with the controls (dropout, an L2 penalty on fc1, random
# crops and flips, early stopping on the validation loss with the best weights restored). The
# curves are in OUT/*/report.html; the test set is the full 10,000 images.
#   examples/overfitting/run.sh [BACKEND] [DATA] [OUT]
set -euo pipefail
B=${1:-pytorch}
D=${2:-/usr/share/datasets/fashion-mnist}
OUT=${3:-runs/overfitting}
cd "$(dirname "$0")/../.."
for s in plain regularised; do
  ./rosetta train examples/overfitting/fashion-cnn-$s.json --backend "$B" --data "$D" --train-samples 1000 \
    --validation-split 0.2 --out "$OUT/$B-$s"
  ./rosetta report "$OUT/$B-$s"
done
