"""Replays a Rosetta training run in Python PyTorch and compares the two, step by step.

Rosetta promises the math of PyTorch; this checks it against PyTorch itself, outside Rosetta.
Train with file-order batches and the initial weights saved, then replay:

  ./rosetta train examples/seed-mlp-adam.json --backend pytorch --data $D --epochs 1 \\
      --no-shuffle --save-init --out runs/adam-pt
  python examples/python/replay_in_torch.py runs/adam-pt --data $D

PyTorch starts from OUT/init.safetensors, takes the same batches (file order, the last one
short) and the spec's optimizer, and the script prints the parity contract's trajectory rows
against OUT/metrics.jsonl (per-step loss) and OUT/checkpoint.safetensors (final weights). Any
backend's run replays the same way. Covers stacks of dense, relu, tanh and sigmoid layers with
cross_entropy or mse, sgd (momentum, nesterov, weight decay) and adam, one or more epochs
without shuffling. Not used by the build or the tests; needs torch and numpy.
"""
import argparse
import json
import os
import struct

import numpy as np
import torch
from torch import nn

from seed_mlp_torch import load  # the same IDX reading and [0, 1] scaling


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} is {t['dtype']}, expected F32")
        start, end = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + start:8 + n + end], np.float32).reshape(t["shape"]).copy())
    return out


def build(spec, init):
    modules = []
    for layer in spec["layers"]:
        kind = layer["type"]
        if kind == "dense":
            w = init[layer["name"] + ".weight"]
            bias = layer["name"] + ".bias" in init
            m = nn.Linear(w.shape[1], w.shape[0], bias=bias)
            with torch.no_grad():
                m.weight.copy_(w)
                if bias:
                    m.bias.copy_(init[layer["name"] + ".bias"])
            modules.append(m)
        elif kind in ("relu", "tanh", "sigmoid"):
            modules.append({"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[kind]())
        else:
            raise SystemExit(f"layer '{layer['name']}' is {kind}: this script replays dense/relu/tanh/sigmoid stacks")
    return nn.Sequential(*modules)


def optimizer_for(spec, params):
    o = spec["optimizer"]
    if o["type"] == "sgd":
        return torch.optim.SGD(params, lr=o["learning_rate"], momentum=o.get("momentum", 0.0),
                               nesterov=o.get("nesterov", False), weight_decay=o.get("weight_decay", 0.0), foreach=False)
    if o["type"] == "adam":
        return torch.optim.Adam(params, lr=o["learning_rate"], betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)),
                                eps=o.get("epsilon", 1e-8), weight_decay=o.get("weight_decay", 0.0), foreach=False)
    raise SystemExit(f"optimizer {o['type']}: this script replays sgd and adam")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", help="a `rosetta train --no-shuffle --save-init` output folder")
    p.add_argument("--data", required=True, help="the IDX folder the run trained on")
    a = p.parse_args()

    torch.set_num_threads(1)
    with open(os.path.join(a.run, "spec.json")) as f:
        spec = json.load(f)
    training = spec["training"]
    metrics = [json.loads(line) for line in open(os.path.join(a.run, "metrics.jsonl"))]
    steps = [m for m in metrics if "loss" in m]
    epochs = max(m["epoch"] for m in metrics)
    batch = training["batch_size"]

    x, y = load(a.data, "train")

    model = build(spec, read_safetensors(os.path.join(a.run, "init.safetensors")))
    optimizer = optimizer_for(spec, model.parameters())
    cross_entropy = spec["loss"]["type"] == "cross_entropy"
    loss_fn = nn.CrossEntropyLoss() if cross_entropy else nn.MSELoss()
    width = [m for m in model if isinstance(m, nn.Linear)][-1].out_features  # one-hot width for mse, as Rosetta's
    losses = []
    for _ in range(epochs):
        for i in range(0, len(x), batch):
            xb, yb = x[i:i + batch], y[i:i + batch]
            target = yb if cross_entropy else nn.functional.one_hot(yb, width).float()
            optimizer.zero_grad()
            loss = loss_fn(model(xb), target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    if len(losses) != len(steps):
        raise SystemExit(f"replayed {len(losses)} steps but the run logged {len(steps)}: was it trained with --no-shuffle on {a.data}?")

    theirs = np.array([m["loss"] for m in steps])
    ours = np.array(losses)
    rel = np.abs(ours - theirs) / np.abs(ours)
    worst = int(rel.argmax())
    trained = read_safetensors(os.path.join(a.run, "checkpoint.safetensors"))
    replayed = dict(model.named_parameters())
    names = {}
    for index, layer in enumerate(spec["layers"]):
        if layer["type"] == "dense":
            names[f"{index}.weight"] = layer["name"] + ".weight"
            names[f"{index}.bias"] = layer["name"] + ".bias"
    num = den = 0.0
    for torch_name, p in replayed.items():
        ref = p.detach().double()
        num += ((ref - trained[names[torch_name]].double()) ** 2).sum().item()
        den += (ref ** 2).sum().item()
    print(f"replayed {len(losses)} steps of {spec['name']} in torch {torch.__version__} against {a.run}")
    print(f"per-step loss, max relative diff: {rel.max():.3e} (step {worst + 1})   bound 1e-3")
    print(f"final weights, relative L2:       {np.sqrt(num / den):.3e}   bound 5e-3")


if __name__ == "__main__":
    main()
