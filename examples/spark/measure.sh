#!/usr/bin/env bash
# The README's Spark figures: scoring rows/s of 60,000 Fashion-MNIST rows on local[2] against ONNX
# Runtime in one process (alternating rounds), and a sweep's wall time locally against --spark on
# local[2] (alternating rounds). Run from the repository root; writes under runs/spark-measure.
set -euo pipefail
D=${D:-/usr/share/datasets/fashion-mnist}
OUT=runs/spark-measure
ROUNDS=${ROUNDS:-3}
mkdir -p $OUT
./rosetta --version >/dev/null   # builds the command line if needed

# Models to score: the seed MLP (1 epoch on the full data) and the fashion CNN (1 epoch on 2,000 images).
[[ -f $OUT/seed-mlp.onnx ]] || {
  ./rosetta train examples/seed-mlp.json --backend pytorch --data $D --epochs 1 --out $OUT/seed-mlp
  ./rosetta export examples/seed-mlp.json --weights $OUT/seed-mlp/checkpoint.safetensors --out $OUT/seed-mlp.onnx
}
[[ -f $OUT/fashion-cnn.onnx ]] || {
  ./rosetta train examples/fashion-cnn.json --backend pytorch --data $D --epochs 1 --train-samples 2000 --out $OUT/fashion-cnn
  ./rosetta export examples/fashion-cnn.json --weights $OUT/fashion-cnn/checkpoint.safetensors --out $OUT/fashion-cnn.onnx
}

# Scoring: the 60,000 training images, converted once to Parquet (8 files) by the benchmark itself.
for m in seed-mlp fashion-cnn; do
  java -Xmx3g -Dai.djl.offline=true -cp "cli/target/rosetta-cli.jar:cli/target/lib/*" dev.rosetta.spark.ScoringBenchmark \
    --model $OUT/$m.onnx --idx $D --parquet $OUT/fashion-mnist-train.parquet --rounds $ROUNDS --master 'local[2]'
done

# The same job end to end from the command line: Parquet in, Parquet out.
rm -rf $OUT/scored.parquet
./rosetta score $OUT/fashion-cnn.onnx --data $OUT/fashion-mnist-train.parquet --out $OUT/scored.parquet --master 'local[2]'

# A sweep's wall time: the same 4 trials one after another, then as Spark tasks on local[2], in turns.
for r in $(seq 1 $ROUNDS); do
  rm -rf $OUT/sweep-local $OUT/sweep-spark
  /usr/bin/time -f "local: %e s wall" ./rosetta sweep examples/sweeps/seed-mlp-grid-large.json --out $OUT/sweep-local | tail -1
  /usr/bin/time -f "spark local[2]: %e s wall" ./rosetta sweep examples/sweeps/seed-mlp-grid-large.json --spark --master 'local[2]' \
    --out $OUT/sweep-spark | tail -1
  cmp $OUT/sweep-local/checkpoint.safetensors $OUT/sweep-spark/checkpoint.safetensors && echo "round $r: best checkpoints identical"
done
