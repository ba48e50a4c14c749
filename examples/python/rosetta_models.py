"""A Rosetta spec as a plain PyTorch module and as a plain Keras 3 (TensorFlow) model, with
canonical weights in and out, the spec's loss and its optimizer.

    spec = rosetta_spec.load_spec("examples/fashion-cnn.json")
    weights = rosetta_random.initialize(spec)          # or read_checkpoint(path)
    tm = TorchModel(spec); tm.load_canonical(weights)
    km = KerasModel(spec); km.load_canonical(weights)

Both read NCHW samples (the spec's input shape) and compute every layer of docs/spec.md as
PyTorch defines it. Layouts:

- Canonical weights are PyTorch's: dense `[out, in]`, conv OIHW. Keras holds dense kernels as
  `[in, out]` and conv kernels as HWIO; `load_canonical` / `canonical_weights` transpose.
- The Keras model takes NCHW input but runs convolutions, pools and batch norm in NHWC (the fast
  layout of TensorFlow's CPU kernels). A tensor is transposed back to NCHW before anything whose
  result depends on the element order (flatten, reshape, dense, layer_norm, softmax, concat on a
  sample axis) and dropout masks are drawn in NCHW order and transposed, so every layer sees
  the numbers Rosetta's NCHW backends see.

Two flavours of the stochastic and stateful layers:

- `exact=True` (replays): dropout masks from rosetta_random.dropout_mask (the spec seed, the
  global step, the layer name), and in Keras `TorchBatchNorm`: PyTorch's batch norm with its
  float64 statistics and its running variance (unbiased, momentum = weight of the new one).
- `exact=False` (speed benchmarks, what a plain user writes): the framework's own dropout RNG and,
  in Keras, keras.layers.BatchNormalization(momentum=1 - m), whose running variance uses the
  biased batch variance (PyTorch's uses n/(n-1) times it): training is identical, evaluation
  after training differs slightly.

Optimizers: `torch_optimizer` is torch.optim.SGD / Adam, which docs/spec.md copies.
`TorchFormOptimizer` is the same update written in TensorFlow for exact Keras replays.
`keras_optimizer` gives Keras' own SGD / Adam for speed runs. Keras' SGD with momentum keeps the
velocity scaled by -lr (`v = m*v - lr*g; w += v`, nesterov `w += m*v - lr*g`): for a constant
learning rate these are PyTorch's iterates (v = -lr * buf) up to rounding. Keras' Adam adds
epsilon to the uncorrected sqrt(v): `w -= lr*sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)`, which
is PyTorch's form with epsilon eps/sqrt(1-b2^t) (31.6 x eps at step 1 with b2=0.999, tending to
eps), so the first steps differ. Keras' `weight_decay` is decoupled (`w -= lr*wd*w`, AdamW's),
not PyTorch's L2 in the gradient, so with Keras' optimizers (`compile_native`, plain_bench.py)
the loss gets `weight_decay/2 * sum(w^2)` over all trainable weights instead: its gradient is
torch's `grad + weight_decay * w`.
"""
import functools
import json
import os
import re
import struct
import warnings

import numpy as np

import rosetta_random
import rosetta_spec

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up notices are not errors


# ---------------------------------------------------------------- checkpoints

def read_checkpoint(path):  # the format of api/.../weights/Safetensors.java
    """({name: float32 array} in file order, metadata dict) of a Rosetta safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {t['dtype']}, expected F32")
        start, end = t["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + start:8 + n + end], "<f4").reshape(t["shape"]).copy()
    return out, metadata


def check_names(spec, weights):
    """Raises unless `weights` holds exactly the spec's parameters and buffers, shapes included."""
    expected = {p.name: tuple(p.shape) for p in rosetta_spec.params(spec)}
    got = {k: tuple(v.shape) for k, v in weights.items()}
    if expected != got:
        diff = [f"{k}: expected {expected.get(k)}, got {got.get(k)}"
                for k in sorted(set(expected) | set(got)) if expected.get(k) != got.get(k)]
        raise ValueError("weights do not fit the spec: " + "; ".join(diff))


def labels_to_targets(spec, y, width):
    """The loss target: class labels for cross_entropy, their one-hot rows (float32) for mse."""
    if spec["loss"]["type"] == "cross_entropy":
        return y
    return np.eye(width, dtype=np.float32)[y]


def output_width(spec):
    return rosetta_spec.infer(spec)[-1][1][-1]


# ---------------------------------------------------------------- PyTorch

# torch and TensorFlow are imported only by the side in use, so a benchmark of one framework
# does not load the other's libraries and thread pools.

def _torch():
    import torch
    return torch


def _torch_module(layer, in_shape, exact):
    """The torch module of one layer (None where forward computes it inline)."""
    nn = _torch().nn
    t = layer["type"]
    if t == "dense":
        return nn.Linear(in_shape[-1], layer["units"], bias=layer["bias"])
    if t == "conv2d":
        top, _, left, _ = rosetta_spec.conv_pads(layer)
        # "same" is PyTorch's own (odd extra at the bottom/right), explicit pads are symmetric.
        padding = "same" if layer["padding"][0] == "same" else (top, left)
        return nn.Conv2d(in_shape[0], layer["filters"], layer["kernel"], stride=layer["stride"], padding=padding,
                         dilation=layer["dilation"], groups=layer["groups"], bias=layer["bias"])
    if t == "max_pool2d":
        return nn.MaxPool2d(layer["kernel"], layer["stride"], layer["padding"])
    if t == "avg_pool2d":
        return nn.AvgPool2d(layer["kernel"], layer["stride"], layer["padding"], count_include_pad=True)
    if t == "global_avg_pool2d":
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    if t == "batch_norm":
        kind = nn.BatchNorm1d if len(in_shape) == 1 else nn.BatchNorm2d
        return kind(in_shape[0], eps=layer["epsilon"], momentum=layer["momentum"])
    if t == "layer_norm":
        return nn.LayerNorm(tuple(in_shape[len(in_shape) - layer["axes"]:]), eps=layer["epsilon"])
    if t == "relu":
        return nn.ReLU()
    if t == "leaky_relu":
        return nn.LeakyReLU(layer["negative_slope"])
    if t == "elu":
        return nn.ELU(layer["alpha"])
    if t == "gelu":
        return nn.GELU(approximate="none")
    if t == "sigmoid":
        return nn.Sigmoid()
    if t == "tanh":
        return nn.Tanh()
    if t == "softmax":
        return nn.Softmax(dim=-1)
    if t == "flatten":
        return nn.Flatten()
    if t == "dropout":
        return None if exact else nn.Dropout(layer["rate"])
    if t in ("reshape", "add", "concat"):
        return None  # done in forward
    raise ValueError(f"layer '{layer['name']}': unknown type {t}")


@functools.lru_cache(maxsize=None)
def torch_model_class():
    torch = _torch()
    # PyTorch notes that an odd "same" total pads a copy of the input: that is the intended
    # asymmetric padding, not a problem.
    warnings.filterwarnings("ignore", message="Using padding='same' with even kernel lengths")

    class TorchModel(torch.nn.Module):
        """The spec as a torch.nn.Module. Submodules are named after the layers, so
        `state_dict()` keys are Rosetta's canonical names (plus BatchNorm's num_batches_tracked,
        which PyTorch only uses when momentum is None and `canonical_weights` leaves out).

        With `exact=True` dropout uses Rosetta's masks for global step `self.step` (1-based),
        which the training loop sets before each forward."""

        def __init__(self, spec, exact=True):
            super().__init__()
            self.spec = spec
            self.exact = exact
            self.seed = spec["training"]["seed"]
            self.step = 0
            self.plan = []  # (layer, output shape) in spec order
            shapes = {rosetta_spec.INPUT: tuple(spec["input"]["shape"])}
            for layer, shape, _ in rosetta_spec.infer(spec):
                m = _torch_module(layer, shapes[layer["inputs"][0]], exact)
                shapes[layer["name"]] = shape
                if m is not None:
                    if hasattr(self, layer["name"]):
                        raise ValueError(f"layer name '{layer['name']}' clashes with a torch.nn.Module attribute")
                    self.add_module(layer["name"], m)
                self.plan.append((layer, shape))

        def forward(self, x):
            values = {rosetta_spec.INPUT: x}
            for layer, shape in self.plan:
                args = [values[n] for n in layer["inputs"]]
                t, name = layer["type"], layer["name"]
                if t == "add":
                    out = args[0]
                    for a in args[1:]:
                        out = out + a
                elif t == "concat":
                    axis = layer["axis"] if layer["axis"] >= 0 else args[0].dim() - 1 + layer["axis"]
                    out = torch.cat(args, dim=axis + 1)
                elif t == "reshape":
                    out = args[0].reshape((args[0].shape[0],) + shape)
                elif t == "dropout" and self.exact:
                    out = args[0]
                    if self.training and layer["rate"] > 0:
                        mask = rosetta_random.dropout_mask(self.seed, self.step, name, out.numel(), layer["rate"])
                        out = out * torch.from_numpy(mask).view(out.shape)
                else:
                    out = getattr(self, name)(args[0])
                values[name] = out
            return values[self.plan[-1][0]["name"]]

        def load_canonical(self, weights):
            check_names(self.spec, weights)
            state = self.state_dict()
            with torch.no_grad():
                for k, v in weights.items():
                    state[k].copy_(torch.from_numpy(np.asarray(v, np.float32)))

        def canonical_weights(self):
            names = [p.name for p in rosetta_spec.params(self.spec)]
            state = self.state_dict()
            return {k: state[k].detach().cpu().numpy().copy() for k in names}

    return TorchModel


def TorchModel(spec, exact=True):  # noqa: N802 - a factory that reads like the class it returns
    return torch_model_class()(spec, exact)


def torch_loss(spec):
    torch = _torch()
    return torch.nn.CrossEntropyLoss() if spec["loss"]["type"] == "cross_entropy" else torch.nn.MSELoss()


def torch_train_step(spec, model, optimizer=None):
    """step(x, y, global_step) -> loss (float): one optimizer step of `model` (in train mode) on
    torch tensors x (NCHW float32) and y (int64 labels); global_step (1-based) picks the dropout
    masks of an exact model."""
    torch = _torch()
    optimizer = optimizer or torch_optimizer(spec, model.parameters())
    loss_fn = torch_loss(spec)
    one_hot = spec["loss"]["type"] == "mse"
    width = output_width(spec)

    def step(x, y, global_step):
        model.step = global_step
        target = torch.nn.functional.one_hot(y, width).float() if one_hot else y
        optimizer.zero_grad()
        loss = loss_fn(model(x), target)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def torch_optimizer(spec, params):
    """torch.optim.SGD / Adam with the spec's settings: docs/spec.md's update rules are theirs."""
    torch = _torch()
    o = spec["optimizer"]
    if o["type"] == "sgd":
        return torch.optim.SGD(params, lr=o["learning_rate"], momentum=o["momentum"], nesterov=o["nesterov"],
                               weight_decay=o["weight_decay"])
    return torch.optim.Adam(params, lr=o["learning_rate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"],
                            weight_decay=o["weight_decay"])


# ---------------------------------------------------------------- Keras 3 / TensorFlow

@functools.lru_cache(maxsize=None)
def keras_model_class():
    import keras
    import tensorflow as tf
    from keras import ops

    to_nhwc, to_nchw = (0, 2, 3, 1), (0, 3, 1, 2)  # transpose permutations

    class TorchBatchNorm(keras.layers.Layer):
        """PyTorch's BatchNorm over the last axis, for exact replays.

        Training normalises with the batch mean and biased variance and updates the running
        statistics with momentum as the weight of the new statistic and the unbiased variance.
        PyTorch's CPU kernel accumulates the statistics in double and applies
        y = x * alpha + beta with alpha = weight / sqrt(var + eps), beta = bias - mean * alpha;
        float32 sums drift by ~1e-5 relative over thousands of values, which a badly conditioned
        batch norm amplifies, so this follows Rosetta's TensorFlow lowering: a vector input
        ([N, C]) is normalised in float64 and rounded once; an image ([N, H, W, C]) sums each
        sample's H x W values in float32, then the batch in float64, and normalises the centred
        float32 values."""

        def __init__(self, momentum, epsilon, **kwargs):
            super().__init__(**kwargs)
            self.momentum, self.epsilon = momentum, epsilon

        def build(self, shape):
            c = (shape[-1],)
            self.gamma = self.add_weight(shape=c, initializer="ones", name="gamma")
            self.beta = self.add_weight(shape=c, initializer="zeros", name="beta")
            self.moving_mean = self.add_weight(shape=c, initializer="zeros", trainable=False, name="moving_mean")
            self.moving_variance = self.add_weight(shape=c, initializer="ones", trainable=False, name="moving_variance")

        def call(self, x, training=False):
            f64 = tf.float64
            if not training:
                alpha = self.gamma / tf.sqrt(self.moving_variance + self.epsilon)
                return x * alpha + (self.beta - self.moving_mean * alpha)
            gamma = tf.cast(self.gamma, f64)
            if len(x.shape) == 2:
                xd = tf.cast(x, f64)
                n = tf.cast(tf.shape(x)[0], f64)
                mean = tf.reduce_mean(xd, 0)
                var = tf.reduce_mean(tf.square(xd - mean), 0)
                alpha = gamma / tf.sqrt(var + self.epsilon)
                y = tf.cast(xd * alpha + (tf.cast(self.beta, f64) - mean * alpha), tf.float32)
            else:
                n = tf.cast(tf.size(x) // tf.shape(x)[-1], f64)
                mean = tf.reduce_sum(tf.cast(tf.reduce_sum(x, [1, 2]), f64), 0) / n
                centered = x - tf.cast(mean, tf.float32)
                var = tf.reduce_sum(tf.cast(tf.reduce_sum(tf.square(centered), [1, 2]), f64), 0) / n
                y = centered * tf.cast(gamma / tf.sqrt(var + self.epsilon), tf.float32) + self.beta
            m = self.momentum
            self.moving_mean.assign(tf.cast((1 - m) * tf.cast(self.moving_mean, f64) + m * mean, tf.float32))
            self.moving_variance.assign(tf.cast((1 - m) * tf.cast(self.moving_variance, f64) + m * var * n / (n - 1), tf.float32))
            return y

    class KerasModel(keras.Model):
        """The spec as a Keras 3 model on NCHW input (NHWC inside, see the module docstring).

        call(x, training=False, masks=None): with exact=True, training needs `masks`,
        {dropout layer name: float32 mask shaped like its NCHW input}, from `dropout_masks`."""

        def __init__(self, spec, exact=True, **kwargs):
            super().__init__(name=re.sub(r"\W", "_", spec["name"]), **kwargs)
            self.spec, self.exact = spec, exact
            self.plan = rosetta_spec.infer(spec)
            self.l2 = 0.0  # set by compile_native: torch's coupled weight decay as a loss term
            self.blocks = {}
            self.conv_pads = {}  # conv layer -> its explicit NHWC padding, where TF's "same" differs
            for layer, _, _ in self.plan:
                block = self._block(layer)
                if block is not None:
                    self.blocks[layer["name"]] = block
            self(np.zeros((2,) + tuple(spec["input"]["shape"]), np.float32))  # builds every weight

        def _block(self, layer):
            t = layer["type"]
            if t == "dense":
                return keras.layers.Dense(layer["units"], use_bias=layer["bias"], name=layer["name"])
            if t == "conv2d":
                top, bottom, left, right = rosetta_spec.conv_pads(layer)
                (kh, kw), (dh, dw) = layer["kernel"], layer["dilation"]
                # TF's "same" pads dilation*(k-1) with the odd extra after, as PyTorch, but only
                # at stride 1; anything else is padded explicitly and convolved "valid".
                tf_same = (layer["stride"] == (1, 1) and (top, bottom, left, right) ==
                           (dh * (kh - 1) // 2, dh * (kh - 1) - dh * (kh - 1) // 2, dw * (kw - 1) // 2, dw * (kw - 1) - dw * (kw - 1) // 2))
                if not tf_same and any((top, bottom, left, right)):
                    self.conv_pads[layer["name"]] = [[0, 0], [top, bottom], [left, right], [0, 0]]
                return keras.layers.Conv2D(layer["filters"], layer["kernel"], strides=layer["stride"],
                                           padding="same" if tf_same else "valid", dilation_rate=layer["dilation"],
                                           groups=layer["groups"], use_bias=layer["bias"], name=layer["name"])
            if t == "batch_norm":
                if self.exact:
                    return TorchBatchNorm(layer["momentum"], layer["epsilon"], name=layer["name"])
                # Keras' momentum is the weight of the old statistic: 1 - PyTorch's.
                return keras.layers.BatchNormalization(axis=-1, momentum=1 - layer["momentum"], epsilon=layer["epsilon"],
                                                       name=layer["name"])
            if t == "layer_norm":
                return keras.layers.LayerNormalization(axis=list(range(-layer["axes"], 0)), epsilon=layer["epsilon"], name=layer["name"])
            if t == "dropout" and not self.exact:
                return keras.layers.Dropout(layer["rate"], name=layer["name"])
            return None

        def call(self, x, training=False, masks=None):
            # layout[v] is "nhwc" for a 4-D value held channels-last, else "nchw" (canonical).
            values, layout = {rosetta_spec.INPUT: x}, {rosetta_spec.INPUT: "nchw"}

            def get(name, want):
                v, have = values[name], layout[name]
                if len(v.shape) != 4 or have == want:
                    return v
                return ops.transpose(v, to_nhwc if want == "nhwc" else to_nchw)

            for layer, shape, _ in self.plan:
                t, name, ins = layer["type"], layer["name"], layer["inputs"]
                first = values[ins[0]]
                # Spatial ops want NHWC; order-sensitive ops NCHW; element-wise ops keep the layout.
                if t in ("conv2d", "max_pool2d", "avg_pool2d", "global_avg_pool2d") or (t == "batch_norm" and len(shape) == 3):
                    want = "nhwc"
                elif t in ("flatten", "reshape", "dense", "layer_norm", "softmax", "concat"):
                    want = "nchw"
                else:
                    want = layout[ins[0]] if len(first.shape) == 4 else "nchw"
                args = [get(n, want) for n in ins]
                a = args[0]
                if t == "conv2d" and name in self.conv_pads:
                    out = self.blocks[name](ops.pad(a, self.conv_pads[name]))
                elif t in ("conv2d", "dense", "batch_norm", "layer_norm"):
                    out = self.blocks[name](a, training=training)
                elif t == "max_pool2d" or t == "avg_pool2d":
                    (ph, pw) = layer["padding"]
                    if ph or pw:  # padding never wins a max (-inf) and counts as 0 in an average
                        fill = -np.inf if t == "max_pool2d" else 0.0
                        a = ops.pad(a, [[0, 0], [ph, ph], [pw, pw], [0, 0]], constant_values=fill)
                    pool = ops.max_pool if t == "max_pool2d" else ops.average_pool
                    out = pool(a, layer["kernel"], layer["stride"], padding="valid", data_format="channels_last")
                elif t == "global_avg_pool2d":
                    out = ops.mean(a, axis=[1, 2])
                elif t == "relu":
                    out = ops.relu(a)
                elif t == "leaky_relu":
                    out = ops.leaky_relu(a, layer["negative_slope"])
                elif t == "elu":
                    out = ops.elu(a, alpha=layer["alpha"])  # where(x > 0, x, alpha * elu(x)), as Rosetta's TF lowering
                elif t == "gelu":
                    out = ops.gelu(a, approximate=False)
                elif t == "sigmoid":
                    out = ops.sigmoid(a)
                elif t == "tanh":
                    out = ops.tanh(a)
                elif t == "softmax":
                    out = ops.softmax(a, axis=-1)
                elif t in ("flatten", "reshape"):
                    out = ops.reshape(a, (-1,) + tuple(shape))
                elif t == "add":
                    out = a
                    for b in args[1:]:
                        out = out + b
                elif t == "concat":
                    axis = layer["axis"] if layer["axis"] >= 0 else len(a.shape) - 1 + layer["axis"]
                    out = ops.concatenate(args, axis=axis + 1)
                elif t == "dropout":
                    if not self.exact:
                        out = self.blocks[name](a, training=training)
                    elif training and layer["rate"] > 0:
                        m = masks[name]
                        out = a * (ops.transpose(m, to_nhwc) if want == "nhwc" and len(a.shape) == 4 else m)
                    else:
                        out = a
                else:
                    raise ValueError(f"layer '{name}': unknown type {t}")
                values[name], layout[name] = out, want
            return get(self.plan[-1][0]["name"], "nchw")

        # -------- canonical weights

        def _pairs(self):
            """(canonical name, keras variable, to_keras, to_canonical) for every tensor."""
            for layer, _, params in self.plan:
                if not params:
                    continue
                block, t = self.blocks[layer["name"]], layer["type"]
                for p in params:
                    kind = p.name.rsplit(".", 1)[1]
                    if t == "dense" and kind == "weight":
                        yield p.name, block.kernel, lambda w: w.T, lambda w: w.T
                    elif t == "conv2d" and kind == "weight":  # OIHW <-> HWIO
                        yield p.name, block.kernel, lambda w: w.transpose(2, 3, 1, 0), lambda w: w.transpose(3, 2, 0, 1)
                    else:
                        attr = {"weight": "gamma", "running_mean": "moving_mean", "running_var": "moving_variance",
                                "bias": "beta" if t in ("batch_norm", "layer_norm") else "bias"}[kind]
                        yield p.name, getattr(block, attr), lambda w: w, lambda w: w

        def load_canonical(self, weights):
            check_names(self.spec, weights)
            for name, var, to_keras, _ in self._pairs():
                var.assign(np.ascontiguousarray(to_keras(np.asarray(weights[name], np.float32))))

        def canonical_weights(self):
            return {name: np.ascontiguousarray(back(var.numpy())) for name, var, _, back in self._pairs()}

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            loss = super().compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training)
            if self.l2:
                loss = loss + self.l2 * ops.sum([ops.sum(ops.square(w)) for w in self.trainable_weights])
            return loss

    return KerasModel


def KerasModel(spec, exact=True):  # noqa: N802 - a factory that reads like the class it returns
    return keras_model_class()(spec, exact)


def dropout_masks(spec, step, batch):
    """{layer: float32 mask shaped [batch, *input shape]} for every dropout layer at global step
    `step`: the masks Rosetta multiplies in, for KerasModel(exact=True) in training."""
    seed = spec["training"]["seed"]
    shapes = {rosetta_spec.INPUT: tuple(spec["input"]["shape"])}
    masks = {}
    for layer, shape, _ in rosetta_spec.infer(spec):
        shapes[layer["name"]] = shape
        if layer["type"] == "dropout":
            in_shape = (batch,) + shapes[layer["inputs"][0]]
            mask = rosetta_random.dropout_mask(seed, step, layer["name"], int(np.prod(in_shape)), layer["rate"])
            masks[layer["name"]] = mask.reshape(in_shape)
    return masks


def keras_loss(spec):
    """Mean over the batch (Keras' default reduction): cross-entropy from logits, or mse."""
    import keras
    if spec["loss"]["type"] == "cross_entropy":
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return keras.losses.MeanSquaredError()


def keras_optimizer(spec):
    """Keras' own SGD / Adam (see the module docstring for how they differ from PyTorch's)."""
    import keras
    o = spec["optimizer"]
    if o["type"] == "sgd":
        return keras.optimizers.SGD(o["learning_rate"], momentum=o["momentum"], nesterov=o["nesterov"])
    return keras.optimizers.Adam(o["learning_rate"], beta_1=o["beta1"], beta_2=o["beta2"], epsilon=o["epsilon"])


def compile_native(model, spec, **kwargs):
    """model.compile with Keras' optimizer and loss, weight decay as an L2 loss term."""
    model.l2 = 0.5 * spec["optimizer"]["weight_decay"]
    model.compile(optimizer=keras_optimizer(spec), loss=keras_loss(spec), **kwargs)


def keras_train_step(spec, model, optimizer="exact"):
    """step(x, y, global_step) -> loss: one optimizer step of a KerasModel as a tf.function.

    optimizer "exact": TorchFormOptimizer (PyTorch's update); "native": Keras' own, with the
    weight decay as an L2 loss term (the returned loss is the data loss alone either way). An
    exact model gets Rosetta's dropout masks for global_step (1-based)."""
    import tensorflow as tf
    variables = model.trainable_variables
    loss_fn = keras_loss(spec)
    one_hot = spec["loss"]["type"] == "mse"
    width = output_width(spec)
    l2 = 0.0
    if optimizer == "exact":
        apply = TorchFormOptimizer(spec, variables).apply
    else:
        native = keras_optimizer(spec)
        native.build(variables)
        l2 = 0.5 * spec["optimizer"]["weight_decay"]

        def apply(grads, variables):
            native.apply_gradients(zip(grads, variables))

    @tf.function(reduce_retracing=True, autograph=False)  # no tensor-dependent Python control flow
    def run(x, y, masks):
        with tf.GradientTape() as tape:
            loss = loss_fn(tf.one_hot(y, width) if one_hot else y, model(x, training=True, masks=masks))
            total = loss + l2 * tf.add_n([tf.reduce_sum(tf.square(w)) for w in variables]) if l2 else loss
        apply(tape.gradient(total, variables), variables)
        return loss

    def step(x, y, global_step):
        masks = dropout_masks(spec, global_step, len(x)) if model.exact else {}
        return float(run(x, y, masks))

    return step


class TorchFormOptimizer:
    """docs/spec.md's sgd and adam (torch.optim.SGD / Adam, single-tensor form) on TensorFlow
    variables, for exact Keras replays. `apply(grads, variables)` runs inside a tf.function."""

    def __init__(self, spec, variables):
        import tensorflow as tf
        self.tf = tf
        self.o = spec["optimizer"]
        self.t = tf.Variable(0, dtype=tf.int64, trainable=False)
        zeros = lambda: [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]  # noqa: E731
        if self.o["type"] == "sgd":
            self.buf = zeros() if self.o["momentum"] else None
        else:
            self.m, self.v = zeros(), zeros()

    def apply(self, grads, variables):
        tf, o = self.tf, self.o
        self.t.assign_add(1)
        wd = o["weight_decay"]
        if o["type"] == "sgd":
            mu, lr = o["momentum"], o["learning_rate"]
            for i, (g, w) in enumerate(zip(grads, variables)):
                if wd:
                    g = g + wd * w
                if mu:
                    b = self.buf[i].assign(mu * self.buf[i] + g)
                    g = g + mu * b if o["nesterov"] else b
                w.assign_sub(lr * g)
            return
        b1, b2, eps, lr = o["beta1"], o["beta2"], o["epsilon"], o["learning_rate"]
        t = tf.cast(self.t, tf.float64)
        step_size = tf.cast(lr / (1 - b1 ** t), tf.float32)
        bc2_sqrt = tf.cast(tf.sqrt(1 - b2 ** t), tf.float32)
        for i, (g, w) in enumerate(zip(grads, variables)):
            if wd:
                g = g + wd * w
            m = self.m[i].assign(self.m[i] + (1 - b1) * (g - self.m[i]))  # torch's lerp_
            v = self.v[i].assign(b2 * self.v[i] + (1 - b2) * g * g)
            w.assign_sub(step_size * m / (tf.sqrt(v) / bc2_sqrt + eps))
