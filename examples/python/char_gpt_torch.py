"""examples/char-gpt.json in plain PyTorch, from Rosetta's initial weights, on Rosetta's batches.

The same character model (token and position embeddings, pre-layer-norm blocks of causal
multi-head attention and a tanh-GELU MLP, residual adds, a final layer norm and a dense head)
written as a PyTorch user would, with the op order of docs/spec.md: q scaled by 1/sqrt(hd)
before q k^T, -inf above the diagonal, and the key third of in_proj_bias left out (it cannot
change the output; Rosetta leaves it out so its gradient is 0, not rounding noise). It starts
from OUT/init.safetensors of `rosetta train --save-init`, reads the text as Rosetta does
(every regular file of a folder in name order, UTF-8, code-point vocabulary, the last 10% as
the test set, windows of T characters T apart) and visits the batches in Rosetta's order
(java.util.SplittableRandom, reproduced below), with torch.optim.Adam, whose update is the
one docs/spec.md writes. So its per-step losses sit beside Rosetta's metrics.jsonl line by
line. Not used by the build or the tests; needs torch and numpy.

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

from replay_in_torch import read_safetensors  # Rosetta's checkpoints: safetensors, F32

# ---- java.util.SplittableRandom (JDK 17) and Rosetta's seeding, for the batch order ----

MASK64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def mix32(z):
    z = ((z ^ (z >> 33)) * 0x62A9D9ED799705F5) & MASK64
    r = (((z ^ (z >> 28)) * 0xCB24D0A5C88C35B3) & MASK64) >> 32
    return r - (1 << 32) if r >> 31 else r


def stream_seed(seed, name):
    """Initializer.streamSeed: FNV-1a over the UTF-8 name (Java's signed bytes), xor seed, mix64."""
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h ^= b | (0xFFFFFFFFFFFFFF00 if b >= 0x80 else 0)
        h = (h * 0x100000001B3) & MASK64
    return mix64((seed & MASK64) ^ h)


class SplittableRandom:
    def __init__(self, seed):
        self.seed = seed & MASK64

    def next_int(self, bound):
        """nextInt(bound): RandomSupport.boundedNextInt of JDK 17."""
        self.seed = (self.seed + GOLDEN_GAMMA) & MASK64
        r = mix32(self.seed)
        m = bound - 1
        if bound & m == 0:
            return r & m
        u = (r & 0xFFFFFFFF) >> 1
        while True:
            r = u % bound
            if u + m - r < 1 << 31:
                return r
            self.seed = (self.seed + GOLDEN_GAMMA) & MASK64
            u = (mix32(self.seed) & 0xFFFFFFFF) >> 1


def batch_order(size, seed, epoch, shuffle):
    """BatchOrder.forEpoch: Fisher-Yates from a stream keyed by the seed and the epoch (1-based)."""
    idx = list(range(size))
    if shuffle:
        rng = SplittableRandom(stream_seed(seed, f"shuffle/{epoch}"))
        for i in range(size - 1, 0, -1):
            j = rng.next_int(i + 1)
            idx[i], idx[j] = idx[j], idx[i]
    return idx


# ---- data: TextReader's rules ----

def read_text(path):
    if not os.path.isdir(path):
        with open(path, encoding="utf-8") as f:
            return f.read()
    names = sorted(n for n in os.listdir(path)
                   if not n.startswith(".") and os.path.isfile(os.path.join(path, n)) and not os.path.islink(os.path.join(path, n)))
    # Rosetta sorts Paths, which compare by name here: the same order.
    parts = []
    for n in names:
        with open(os.path.join(path, n), encoding="utf-8") as f:
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
    state = {}
    for name, t in weights.items():
        if name.startswith("optimizer/"):
            continue  # a training checkpoint's Adam state (optimizer/<param>/<slot>), not weights
        layer, param = name.split(".", 1)
        state[f"layers.{layer}.{param}"] = t
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("bias_mask")]
    if missing or unexpected:
        raise SystemExit(f"weights do not fit the spec: missing {missing}, unexpected {unexpected}")


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
    with open(os.path.join(a.run, "spec.json")) as f:
        spec = json.load(f)
    length = spec["input"]["shape"][0]
    training = spec["training"]
    (x, y), (xt, yt), vocab = load_text(a.data, length)
    model = SpecModel(spec)
    load_weights(model, read_safetensors(os.path.join(a.run, "init.safetensors")))
    o = spec["optimizer"]
    if o["type"] != "adam":
        raise SystemExit("this script trains with adam, as examples/char-gpt.json does")
    optimizer = torch.optim.Adam(model.parameters(), lr=o["learning_rate"], betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)),
                                 eps=o.get("epsilon", 1e-8), weight_decay=o.get("weight_decay", 0.0))
    batch = training["batch_size"]

    def step(xb, yb):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb).flatten(0, 1), yb.flatten())
        loss.backward()
        optimizer.step()
        return loss.item()

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
