#!/usr/bin/env bash
# Fine-tuning, end to end on the full Fashion-MNIST: pre-train fashion-cnn on 8 classes, give it
# a new 2-class head for the other two (T-shirt/top vs shirt, the pair it confuses most), train
# the head with the body frozen, then unfreeze and train everything at a lower rate. A run from
# scratch on the same 2 classes and epochs is the baseline.
#   examples/fine-tune/run.sh [BACKEND] [DATA] [OUT]
set -euo pipefail
B=${1:-pytorch}
D=${2:-/usr/share/datasets/fashion-mnist}
OUT=${3:-runs/fine-tune}
cd "$(dirname "$0")/../.."
E=examples/fine-tune
./rosetta train $E/fashion-cnn-8.json --backend "$B" --data "$D" --classes 1,2,3,4,5,7,8,9 --out "$OUT/$B-pretrain-8"
./rosetta train $E/fashion-cnn-2-head.json --backend "$B" --data "$D" --classes 0,6 \
  --weights "$OUT/$B-pretrain-8/checkpoint.safetensors" --out "$OUT/$B-head"
./rosetta train $E/fashion-cnn-2-all.json --backend "$B" --data "$D" --classes 0,6 \
  --weights "$OUT/$B-head/checkpoint.safetensors" --out "$OUT/$B-all"
./rosetta train $E/fashion-cnn-2-all.json --backend "$B" --data "$D" --classes 0,6 --epochs 6 \
  --out "$OUT/$B-scratch"
