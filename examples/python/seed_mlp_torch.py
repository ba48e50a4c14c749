"""The seed network in plain PyTorch, to set Rosetta's figures beside PyTorch's own.

784-128-64-10 with ReLU, cross-entropy from logits, SGD lr 0.01, batch 64: the same recipe as
examples/seed-mlp.json, written as a PyTorch user would. Not used by the build or the tests;
needs torch and numpy.

  python examples/python/seed_mlp_torch.py bench --data /usr/share/datasets/fashion-mnist
      300 warm-up steps, then 3,000 timed steps in six windows (like `rosetta bench`)
  python examples/python/seed_mlp_torch.py train --data /usr/share/datasets/fashion-mnist
      10 epochs, test accuracy after each
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
from torch import nn


def read_idx(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
                raw = f.read()
            rank = raw[3]
            dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(dims)
    raise SystemExit(f"{folder}: no {name} or {name}.gz")


def load(folder, split):
    images = read_idx(folder, f"{split}-images-idx3-ubyte")
    labels = read_idx(folder, f"{split}-labels-idx1-ubyte")
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255)
    return x, torch.from_numpy(labels.astype(np.int64))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["bench", "train"])
    p.add_argument("--data", required=True, help="IDX folder (Fashion-MNIST layout)")
    p.add_argument("--threads", type=int, default=1, help="intra-op threads (Rosetta's default is 1)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y = load(a.data, "train")
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def step(xb, yb):
        optimizer.zero_grad()
        loss_fn(model(xb), yb).backward()
        optimizer.step()

    if a.mode == "bench":
        batches = len(x) // 64
        k = 0
        for _ in range(300):
            step(x[k * 64:(k + 1) * 64], y[k * 64:(k + 1) * 64])
            k = (k + 1) % batches
        rates = []
        for _ in range(6):
            start = time.perf_counter()
            for _ in range(500):
                step(x[k * 64:(k + 1) * 64], y[k * 64:(k + 1) * 64])
                k = (k + 1) % batches
            rates.append(500 * 64 / (time.perf_counter() - start))
        r = sorted(rates)
        print(f"torch {torch.__version__}, {a.threads} thread(s): {3000 * 64 / sum(500 * 64 / v for v in rates):,.0f} samples/s "
              f"(6 windows: min {r[0]:,.0f}, median {(r[2] + r[3]) / 2:,.0f}, max {r[-1]:,.0f})")
    else:
        xt, yt = load(a.data, "t10k")
        order = torch.Generator().manual_seed(a.seed + 1)
        for epoch in range(1, 11):
            perm = torch.randperm(len(x), generator=order)
            for i in range(0, len(x), 64):
                idx = perm[i:i + 64]
                step(x[idx], y[idx])
            with torch.no_grad():
                accuracy = (model(xt).argmax(1) == yt).float().mean().item()
            print(f"epoch {epoch}/10  test_accuracy {accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
