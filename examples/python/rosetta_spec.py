"""Rosetta specs and data in plain Python: reading a `rosetta/v1` spec with Rosetta's defaults,
shape inference with the canonical parameter list, and the IDX reader.

Mirrors api/.../spec/SpecJson.java (defaults), ShapeInference.java (shapes, parameter names,
layouts and fans) and data/IdxReader.java (pixel scaling). It trusts the spec to be valid:
run `rosetta validate` for the error messages. Needs only numpy.
"""
import copy
import gzip
import json
import os
import struct
from dataclasses import dataclass

import numpy as np

INPUT = "input"  # the name a layer's "inputs" use for the model input


@dataclass(frozen=True)
class ParamSpec:
    """One tensor a layer owns, in the canonical (PyTorch) layout, as ShapeInference.params."""
    name: str
    shape: tuple
    trainable: bool
    init: str
    fan_in: int
    fan_out: int


def _pair(v, default=None):
    if v is None:
        v = default
    return (v, v) if isinstance(v, int) else tuple(v)


def _padding(v):
    """Conv padding as ("same", 0, 0) or ("explicit", h, w); "valid" is explicit zero."""
    if isinstance(v, tuple) and len(v) == 3:  # already normalised
        return v
    if v == "same":
        return ("same", 0, 0)
    if v is None or v == "valid":
        return ("explicit", 0, 0)
    h, w = _pair(v)
    return ("explicit", h, w)


def conv_pads(layer):
    """Per-side conv padding (top, bottom, left, right); "same" splits dilation*(k-1) with the odd
    extra at the bottom/right, as PyTorch (Layer.Padding.top/bottom/left/right)."""
    kind, h, w = layer["padding"]
    if kind == "explicit":
        return h, h, w, w
    (kh, kw), (dh, dw) = layer["kernel"], layer["dilation"]
    th, tw = dh * (kh - 1), dw * (kw - 1)
    return th // 2, th - th // 2, tw // 2, tw - tw // 2


def normalize_layer(raw, index, previous):
    """A layer with every default filled in, as SpecJson reads it, plus its resolved inputs."""
    layer = dict(raw)
    t = layer["type"]
    layer["inputs"] = list(raw.get("inputs", [previous if index > 0 else INPUT]))
    if t == "dense":
        layer.setdefault("bias", True)
        layer.setdefault("weight_init", "uniform_fan_in")
        layer.setdefault("bias_init", "uniform_fan_in")
    elif t == "conv2d":
        layer["kernel"] = _pair(raw["kernel"])
        layer["stride"] = _pair(raw.get("stride"), 1)
        layer["padding"] = _padding(raw.get("padding"))
        layer["dilation"] = _pair(raw.get("dilation"), 1)
        layer.setdefault("groups", 1)
        layer.setdefault("bias", True)
        layer.setdefault("weight_init", "uniform_fan_in")
        layer.setdefault("bias_init", "uniform_fan_in")
    elif t in ("max_pool2d", "avg_pool2d"):
        layer["kernel"] = _pair(raw["kernel"])
        layer["stride"] = _pair(raw.get("stride"), layer["kernel"])
        layer["padding"] = _pair(raw.get("padding"), 0)
    elif t == "batch_norm":
        layer.setdefault("momentum", 0.1)
        layer.setdefault("epsilon", 1e-5)
    elif t == "layer_norm":
        layer.setdefault("axes", 1)
        layer.setdefault("epsilon", 1e-5)
    elif t == "leaky_relu":
        layer.setdefault("negative_slope", 0.01)
    elif t == "elu":
        layer.setdefault("alpha", 1.0)
    elif t == "concat":
        layer.setdefault("axis", 0)
    return layer


def load_spec(path_or_dict):
    """A spec (file path, parsed JSON or an already loaded spec) with defaults filled in:
    layers, optimizer, training."""
    if isinstance(path_or_dict, dict):
        spec = copy.deepcopy(path_or_dict)
    else:
        with open(path_or_dict) as f:
            spec = json.load(f)
    spec.setdefault("name", "model")
    layers = []
    for i, raw in enumerate(spec["layers"]):
        layers.append(normalize_layer(raw, i, layers[-1]["name"] if layers else None))
    spec["layers"] = layers
    o = spec["optimizer"]
    if o["type"] == "sgd":
        for k, v in (("momentum", 0.0), ("weight_decay", 0.0), ("nesterov", False)):
            o.setdefault(k, v)
    else:
        for k, v in (("learning_rate", 0.001), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("weight_decay", 0.0)):
            o.setdefault(k, v)
    training = {"epochs": 10, "batch_size": 64, "seed": 42, "shuffle": True}
    training.update(spec.get("training", {}))
    spec["training"] = training
    return spec


def _windows(size, k, stride, d, total_pad):
    return (size + total_pad - d * (k - 1) - 1) // stride + 1


def _layer_shapes(layer, ins):
    """(output shape, [ParamSpec]) of one layer for per-sample input shapes `ins`."""
    t, name, x = layer["type"], layer["name"], ins[0]
    if t == "dense":
        fan_in, units = x[-1], layer["units"]
        params = [ParamSpec(name + ".weight", (units, fan_in), True, layer["weight_init"], fan_in, units)]
        if layer["bias"]:
            params.append(ParamSpec(name + ".bias", (units,), True, layer["bias_init"], fan_in, units))
        return x[:-1] + (units,), params
    if t == "flatten":
        return (int(np.prod(x)),), []
    if t == "reshape":
        dims = list(layer["shape"])
        if -1 in dims:
            known = int(np.prod([d for d in dims if d != -1]))
            dims[dims.index(-1)] = int(np.prod(x)) // known
        return tuple(dims), []
    if t == "conv2d":
        (kh, kw), (sh, sw), (dh, dw), g = layer["kernel"], layer["stride"], layer["dilation"], layer["groups"]
        top, bottom, left, right = conv_pads(layer)
        fan_in, fan_out = x[0] // g * kh * kw, layer["filters"] * kh * kw
        params = [ParamSpec(name + ".weight", (layer["filters"], x[0] // g, kh, kw), True, layer["weight_init"], fan_in, fan_out)]
        if layer["bias"]:
            params.append(ParamSpec(name + ".bias", (layer["filters"],), True, layer["bias_init"], fan_in, fan_out))
        out = (layer["filters"], _windows(x[1], kh, sh, dh, top + bottom), _windows(x[2], kw, sw, dw, left + right))
        return out, params
    if t in ("max_pool2d", "avg_pool2d"):
        (kh, kw), (sh, sw), (ph, pw) = layer["kernel"], layer["stride"], layer["padding"]
        return (x[0], _windows(x[1], kh, sh, 1, 2 * ph), _windows(x[2], kw, sw, 1, 2 * pw)), []
    if t == "global_avg_pool2d":
        return (x[0],), []
    if t == "batch_norm":
        c = x[0]
        return x, [ParamSpec(name + ".weight", (c,), True, "ones", c, c),
                   ParamSpec(name + ".bias", (c,), True, "zeros", c, c),
                   ParamSpec(name + ".running_mean", (c,), False, "zeros", c, c),
                   ParamSpec(name + ".running_var", (c,), False, "ones", c, c)]
    if t == "layer_norm":
        norm = x[len(x) - layer["axes"]:]
        n = int(np.prod(norm))
        return x, [ParamSpec(name + ".weight", norm, True, "ones", n, n),
                   ParamSpec(name + ".bias", norm, True, "zeros", n, n)]
    if t == "concat":
        axis = layer["axis"] if layer["axis"] >= 0 else len(x) + layer["axis"]
        out = list(x)
        out[axis] = sum(s[axis] for s in ins)
        return tuple(out), []
    return x, []  # activations, dropout, softmax, add: shape unchanged


def infer(spec):
    """Per layer, in spec order: (layer, output shape, [ParamSpec]); shapes exclude the batch axis."""
    values = {INPUT: tuple(spec["input"]["shape"])}
    out = []
    for layer in spec["layers"]:
        shape, params = _layer_shapes(layer, [values[n] for n in layer["inputs"]])
        values[layer["name"]] = shape
        out.append((layer, shape, params))
    return out


def params(spec):
    """Every parameter and buffer, in layer order: the order of Rosetta's checkpoints."""
    return [p for _, _, ps in infer(spec) for p in ps]


def read_idx(folder, name):
    """One IDX file of unsigned bytes (raw or gzip, detected from the content) as a uint8 array."""
    for candidate in (name + ".gz", name):  # IdxReader.find's order
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                raw = f.read()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            rank = raw[3]
            dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank, count=int(np.prod(dims))).reshape(dims)
    raise SystemExit(f"{folder}: no {name} or {name}.gz")


def load_idx(folder, split, sample_shape):
    """(x float32 [N, *sample_shape], y int64 [N]) of split "train" or "t10k".

    Pixels are `(b & 0xff) / 255f` in IdxReader: a float32 division, which numpy's float32 / float32
    reproduces bit for bit (both are IEEE round-to-nearest)."""
    images = read_idx(folder, f"{split}-images-idx3-ubyte")
    labels = read_idx(folder, f"{split}-labels-idx1-ubyte")
    x = images.astype(np.float32) / np.float32(255)
    return x.reshape((len(x),) + tuple(sample_shape)), labels.astype(np.int64)
