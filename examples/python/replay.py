"""Replays a Rosetta training run in plain PyTorch and/or Keras 3 and compares, step by step.

Train with the initial weights saved (any spec, any backend, shuffled or not), then replay:

  ./rosetta train examples/seed-mlp.json --backend pytorch --data $D --epochs 1 --save-init --out runs/mlp
  python replay.py runs/mlp --data $D                      # torch and keras
  python replay.py runs/mlp --data $D --framework keras --keras-optimizer native

The replay starts from RUN/init.safetensors (or, for a run trained without --save-init, from
rosetta_random.initialize, which is bit-identical to Rosetta's seeded initialisation), visits the samples in Rosetta's order
(rosetta_random.batch_order with the run's seed and shuffle flag, the last batch of an epoch
short), applies Rosetta's dropout masks and the spec's optimizer in PyTorch's form, and prints
against RUN/metrics.jsonl (per-step loss) and RUN/checkpoint.safetensors (final weights, running
statistics included): the largest per-step relative loss difference and the relative L2 of the
final weights, ||replay - rosetta|| / ||rosetta|| over all tensors at once. Exits 1 if either is
over its bound (those of `rosetta parity`'s trajectory rows: 1e-3 and 5e-3). It also prints the
first step whose loss differs by more than 1e-5: float32 rounding differences stay near 1e-7 on
a well-conditioned run and only grow once the dynamics amplify them (see README.md).

--keras-optimizer native trains Keras with keras.optimizers.SGD/Adam (weight decay as an L2
loss term) instead of the PyTorch-form update, to show how far Keras' own optimizers are from
the spec's. IDX data only (the folder the run trained on).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

import rosetta_models
import rosetta_random
import rosetta_spec

LOSS_BOUND, WEIGHT_BOUND = 1e-3, 5e-3
ONSET = 1e-5  # a loss difference past float32 noise


def replay(framework, spec, init, x, y, epochs, keras_optimizer, max_steps):
    """Trains from `init` on Rosetta's batches; returns (per-step losses, final canonical weights)."""
    t = spec["training"]
    if framework == "torch":
        import torch
        model = rosetta_models.TorchModel(spec, exact=True)
        model.load_canonical(init)
        model.train()
        step_fn = rosetta_models.torch_train_step(spec, model)
        xs, ys = torch.from_numpy(x), torch.from_numpy(y)
        take = lambda idx: (xs[idx], ys[idx])  # noqa: E731
    else:
        model = rosetta_models.KerasModel(spec, exact=True)
        model.load_canonical(init)
        step_fn = rosetta_models.keras_train_step(spec, model, keras_optimizer)
        take = lambda idx: (x[idx], y[idx])  # noqa: E731
    losses, step = [], 0
    for epoch in range(1, epochs + 1):
        order = rosetta_random.batch_order(len(x), t["seed"], epoch, t["shuffle"])
        for start in range(0, len(x), t["batch_size"]):
            if step == max_steps:
                return losses, None
            step += 1
            losses.append(step_fn(*take(order[start:start + t["batch_size"]]), step))
    return losses, model.canonical_weights()


def relative_l2(ours, theirs):
    num = sum(float(np.sum((ours[k].astype(np.float64) - theirs[k].astype(np.float64)) ** 2)) for k in theirs)
    den = sum(float(np.sum(theirs[k].astype(np.float64) ** 2)) for k in theirs)
    return np.sqrt(num / den)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", help="a `rosetta train --save-init` output folder")
    p.add_argument("--data", required=True, help="the IDX folder the run trained on")
    p.add_argument("--framework", choices=["torch", "keras", "both"], default="both")
    p.add_argument("--keras-optimizer", choices=["exact", "native"], default="exact",
                   help="exact: PyTorch's update written in TensorFlow (default); native: Keras' own optimizers")
    p.add_argument("--max-steps", type=int, default=-1, help="replay only this many steps (no final weight check)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", action="store_true", help="also print one JSON line per framework")
    a = p.parse_args()

    spec = rosetta_spec.load_spec(os.path.join(a.run, "spec.json"))
    metrics = [json.loads(line) for line in open(os.path.join(a.run, "metrics.jsonl"))]
    theirs = np.array([m["loss"] for m in metrics if "loss" in m])
    epochs = max(m["epoch"] for m in metrics)
    init_path = os.path.join(a.run, "init.safetensors")
    if os.path.exists(init_path):
        init, _ = rosetta_models.read_checkpoint(init_path)
    else:
        print(f"{a.run} has no init.safetensors: starting from rosetta_random.initialize (seed {spec['training']['seed']})")
        init = rosetta_random.initialize(spec)
    trained, meta = rosetta_models.read_checkpoint(os.path.join(a.run, "checkpoint.safetensors"))
    x, y = rosetta_spec.load_idx(a.data, "train", spec["input"]["shape"])
    expected_steps = epochs * -(-len(x) // spec["training"]["batch_size"])
    if expected_steps != len(theirs):
        sys.exit(f"{a.run} logged {len(theirs)} steps, but {epochs} epoch(s) of {a.data} are {expected_steps}: "
                 "is it the data the run trained on?")

    failed = False
    for framework in (["torch", "keras"] if a.framework == "both" else [a.framework]):
        if framework == "torch":
            import torch
            torch.set_num_threads(a.threads)
            version = f"torch {torch.__version__}"
        else:
            import keras
            import tensorflow as tf
            tf.config.threading.set_intra_op_parallelism_threads(a.threads)
            tf.config.threading.set_inter_op_parallelism_threads(a.threads)
            version = f"keras {keras.__version__} / tensorflow {tf.__version__}, {a.keras_optimizer} optimizer"
        start = time.perf_counter()
        losses, weights = replay(framework, spec, init, x, y, epochs, a.keras_optimizer, a.max_steps)
        seconds = time.perf_counter() - start
        ours = np.array(losses)
        rel = np.abs(ours - theirs[:len(ours)]) / np.abs(theirs[:len(ours)])
        worst = int(rel.argmax())
        l2 = relative_l2(weights, trained) if weights is not None else None
        print(f"{framework}: replayed {len(ours)} steps of {spec['name']} ({'shuffled' if spec['training']['shuffle'] else 'file order'}) "
              f"in {version} ({seconds:.1f} s) against {a.run} ({meta.get('backend')})")
        onset = int(np.argmax(rel > ONSET)) + 1 if (rel > ONSET).any() else None
        print(f"  per-step loss, max relative diff: {rel.max():.3e} (step {worst + 1})   bound {LOSS_BOUND:g}")
        print(f"  first step over {ONSET:g}:          {onset if onset else 'none'}")
        if l2 is not None:
            print(f"  final weights, relative L2:       {l2:.3e}   bound {WEIGHT_BOUND:g}")
        failed |= rel.max() > LOSS_BOUND or (l2 is not None and l2 > WEIGHT_BOUND)
        if a.json:
            print(json.dumps({"framework": framework, "run": a.run, "spec": spec["name"], "backend": meta.get("backend"),
                              "keras_optimizer": a.keras_optimizer if framework == "keras" else None, "steps": len(ours),
                              "loss_max_rel_diff": float(rel.max()), "loss_worst_step": worst + 1, "first_step_over_1e-5": onset,
                              "weights_rel_l2": l2, "seconds": round(seconds, 2)}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
