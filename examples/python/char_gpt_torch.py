"""examples/char-gpt.json in plain PyTorch, from Rosetta's initial weights, on Rosetta's batches.

The same character model (token and position embeddings, pre-layer-norm blocks of causal
multi-head attention and a tanh-GELU MLP, residual adds, a final layer norm and a dense head)
written as a PyTorch user would, with the op order of docs/spec.md: q scaled by 1/sqrt(hd)
before q k^T, -inf above the diagonal, and the key third of in_proj_bias left out (it cannot
change the output; Rosetta leaves it out so its gradient is 0, not rounding noise). It starts
from OUT/init.safetensors of `rosetta train --save-init`, reads the text as Rosetta does
(every regular file of a folder in name order, UTF-8, code-point vocabulary, the last 10% as
the test set, windows of T characters T apart) and visits the batches in Rosetta's order
(rosetta_random.batch_order), with the spec's optimizer as torch.optim has it (Adam here),
whose update is the one docs/spec.md writes. So its per-step losses sit beside Rosetta's
metrics.jsonl line by line. Not used by the build or the tests; needs torch and numpy.
plain_bench.py imports its model, text reader and step to time a token spec beside Rosetta
(`rosetta bench SPEC --compare --data TEXT`).

  ./rosetta train examples/char-gpt.json --backend pytorch --data /usr/share/common-licenses \\
      --save-init --out runs/char-gpt-pt
  python examples/python/char_gpt_torch.py train runs/char-gpt-pt --data /usr/share/common-licenses
      every epoch of the spec (or --epochs), per-step losses compared with OUT/metrics.jsonl
  python examples/python/char_gpt_torch.py bench runs/char-gpt-pt --data /usr/share/common-licenses
      30 warm-up steps, then 300 timed steps in six windows (like `rosetta bench`): tokens/s
      (--warmup, --steps to change them)
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

import rosetta_models
import rosetta_spec
from rosetta_random import batch_order  # BatchOrder.forEpoch, bit for bit

# ---- data: TextReader's rules ----

def read_text(path):
    # newline="": Rosetta reads the bytes as they are, so "\r\n" stays two characters.
    if not os.path.isdir(path):
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    names = sorted(n for n in os.listdir(path)
                   if not n.startswith(".") and os.path.isfile(os.path.join(path, n)) and not os.path.islink(os.path.join(path, n)))
    # Rosetta sorts Paths, which compare by name here: the same order.
    parts = []
    for n in names:
        with open(os.path.join(path, n), encoding="utf-8", newline="") as f:
            parts.append(f.read())
    return "".join(parts)


def windows(ids, length):
    n = max(0, (len(ids) - 1) // length)
    x = np.stack([ids[i * length:(i + 1) * length] for i in range(n)]) if n else np.zeros((0, length), np.int64)
    y = np.stack([ids[i * length + 1:(i + 1) * length + 1] for i in range(n)]) if n else np.zeros((0, length), np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def load_text(path, length):
    text = read_text(path)
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.array([index[c] for c in text], np.int64)
    cut = len(ids) * 90 // 100
    return windows(ids[:cut], length), windows(ids[cut:], length), vocab


# ---- the model ----

class CausalSelfAttention(nn.Module):
    """nn.MultiheadAttention's parameters (in_proj_weight [3D, D], ...), the key bias left out."""

    def __init__(self, d, heads, causal):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d, d))
        self.in_proj_bias = nn.Parameter(torch.empty(3 * d))
        self.out_proj = nn.Linear(d, d)
        self.register_buffer("bias_mask", torch.cat([torch.ones(d), torch.zeros(d), torch.ones(d)]), persistent=False)

    def forward(self, x):
        n, t, d = x.shape
        hd = d // self.heads
        qkv = F.linear(x, self.in_proj_weight, self.bias_mask * self.in_proj_bias)
        q, k, v = qkv.view(n, t, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        scores = (q * torch.tensor(1 / math.sqrt(hd), dtype=torch.float32)) @ k.transpose(-2, -1)
        if self.causal:
            scores = scores + torch.full((t, t), float("-inf")).triu(1)
        o = scores.softmax(-1) @ v
        return self.out_proj(o.transpose(1, 2).reshape(n, t, d))


class SpecModel(nn.Module):
    """The spec's layers as modules, run in spec order, each reading what the spec says."""

    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.layers = nn.ModuleDict()
        width = None
        for layer in spec["layers"]:
            kind, name = layer["type"], layer["name"]
            if kind == "embedding":
                self.layers[name] = nn.Embedding(layer["vocab_size"], layer["dim"])
                width = layer["dim"]
            elif kind == "position_embedding":
                self.layers[name] = nn.Embedding(layer["max_length"], width)
            elif kind == "layer_norm":
                self.layers[name] = nn.LayerNorm(width, eps=layer.get("epsilon", 1e-5))
            elif kind == "multi_head_attention":
                if not layer.get("bias", True) or layer.get("dropout", 0):
                    raise SystemExit(f"{name}: this script covers attention with biases and no dropout")
                self.layers[name] = CausalSelfAttention(width, layer["num_heads"], layer.get("causal", False))
            elif kind == "dense":
                self.layers[name] = nn.Linear(width, layer["units"], bias=layer.get("bias", True))
                width = layer["units"]
            elif kind == "gelu":
                self.layers[name] = nn.GELU(approximate=layer.get("approximate", "none"))
            elif kind != "add":
                raise SystemExit(f"layer '{name}' is {kind}: this script covers the char-GPT's kinds")

    def forward(self, ids):
        values = {"input": ids}
        previous = "input"
        for layer in self.spec["layers"]:
            kind, name = layer["type"], layer["name"]
            ins = [values[i] for i in layer.get("inputs", [previous])]
            if kind == "add":
                out = ins[0]
                for other in ins[1:]:
                    out = out + other
            elif kind == "position_embedding":
                out = ins[0] + self.layers[name].weight[: ins[0].shape[1]]
            else:
                out = self.layers[name](ins[0])
            values[name] = out
            previous = name
        return values[previous]


def load_weights(model, weights):
    """Canonical weights ({name: float32 array}, as rosetta_models.read_checkpoint gives) into the model."""
    state = {}
    for name, t in weights.items():
        if name.startswith("optimizer/"):
            continue  # a training checkpoint's Adam state (optimizer/<param>/<slot>), not weights
        layer, param = name.split(".", 1)
        state[f"layers.{layer}.{param}"] = torch.as_tensor(t)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("bias_mask")]
    if missing or unexpected:
        raise SystemExit(f"weights do not fit the spec: missing {missing}, unexpected {unexpected}")


def train_step(spec, model):
    """step(xb, yb) -> loss: one step of the spec's optimizer (torch.optim's update, which
    docs/spec.md writes) on the mean cross-entropy over every position; `spec` as
    rosetta_spec.load_spec gives it. plain_bench.py times this step."""
    optimizer = rosetta_models.torch_optimizer(spec, model.parameters())
    loss = spec["loss"]
    if loss["type"] != "cross_entropy":
        raise SystemExit("this script trains with cross_entropy over the positions, as examples/char-gpt.json does")
    ignore, smoothing = loss.get("ignore_index", -100), loss.get("label_smoothing", 0.0)

    def step(xb, yb):
        optimizer.zero_grad()
        out = F.cross_entropy(model(xb).flatten(0, 1), yb.flatten(), ignore_index=ignore, label_smoothing=smoothing)
        out.backward()
        optimizer.step()
        return out.item()

    return step

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["train", "bench"])
    p.add_argument("run", help="a `rosetta train --save-init` output folder (spec.json, init.safetensors, metrics.jsonl)")
    p.add_argument("--data", required=True, help="the text file or folder Rosetta trained on")
    p.add_argument("--epochs", type=int, help="default: the spec's")
    p.add_argument("--threads", type=int, default=1, help="intra-op threads (Rosetta's default is 1)")
    p.add_argument("--steps", type=int, default=300, help="bench: timed steps, in six windows")
    p.add_argument("--warmup", type=int, default=30, help="bench: untimed steps first")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    spec = rosetta_spec.load_spec(os.path.join(a.run, "spec.json"))
    length = spec["input"]["shape"][0]
    training = spec["training"]
    (x, y), (xt, yt), vocab = load_text(a.data, length)
    model = SpecModel(spec)
    load_weights(model, rosetta_models.read_checkpoint(os.path.join(a.run, "init.safetensors"))[0])
    step = train_step(spec, model)
    batch = training["batch_size"]

    def batches(epoch):
        order = batch_order(len(x), training["seed"], epoch, training["shuffle"])
        for start in range(0, len(order), batch):
            idx = torch.tensor(order[start:start + batch])
            yield x[idx], y[idx]

    if a.mode == "bench":
        it = (b for e in range(1, 1000) for b in batches(e))
        for _ in range(a.warmup):
            step(*next(it))
        rates, tokens, seconds = [], 0, 0.0
        for w in range(6):
            n, start = 0, time.perf_counter()
            for _ in range(a.steps // 6 + (1 if w < a.steps % 6 else 0)):
                xb, yb = next(it)
                step(xb, yb)
                n += xb.numel()
            elapsed = time.perf_counter() - start
            rates.append(n / elapsed)
            tokens, seconds = tokens + n, seconds + elapsed
        r = sorted(rates)
        print(f"torch {torch.__version__}, {a.threads} thread(s): {tokens / seconds:,.0f} tokens/s "
              f"(6 windows: min {r[0]:,.0f}, median {(r[2] + r[3]) / 2:,.0f}, max {r[-1]:,.0f})")
        return

    rosetta = {}
    metrics = os.path.join(a.run, "metrics.jsonl")
    if os.path.exists(metrics):
        with open(metrics) as f:
            for line in f:
                m = json.loads(line)
                if "loss" in m:
                    rosetta[m["step"]] = m["loss"]
    global_step, worst = 0, (0.0, 0)
    for epoch in range(1, (a.epochs or training["epochs"]) + 1):
        start, tokens, losses = time.perf_counter(), 0, []
        model.train()
        for xb, yb in batches(epoch):
            global_step += 1
            loss = step(xb, yb)
            losses.append(loss * len(xb))
            tokens += xb.numel()
            if global_step in rosetta:
                rel = abs(loss - rosetta[global_step]) / max(abs(loss), abs(rosetta[global_step]))
                worst = max(worst, (rel, global_step))
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            total = sum(F.cross_entropy(model(xt[i:i + 500]).flatten(0, 1), yt[i:i + 500].flatten(), reduction="sum").double().item()
                        for i in range(0, len(xt), 500))
        test = total / yt.numel()
        print(f"epoch {epoch}: train_loss {sum(losses) / len(x):.4f}  test_loss {test:.4f} ({test / math.log(2):.3f} bits/char)  "
              f"{tokens / seconds:,.0f} tokens/s")
    if rosetta:
        print(f"per-step loss against {metrics}: max relative difference {worst[0]:.2e} (step {worst[1]}) over {min(global_step, len(rosetta))} steps")


if __name__ == "__main__":
    main()
