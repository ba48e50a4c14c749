"""Times a Rosetta spec in plain PyTorch or plain Keras 3 / TensorFlow, for side-by-side speed
figures with `rosetta bench`.

  python plain_bench.py --framework torch --spec examples/fashion-cnn.json --data $D --json
  python plain_bench.py --framework keras-fit --spec examples/seed-mlp.json --data $D --mode infer

Same model, same initial weights (rosetta_random.initialize, or --init CKPT), same batches in
Rosetta's order (rosetta_random.batch_order with the spec's seed and shuffle flag), same batch
size. What each framework does is what a plain user of it writes:

  torch        an eager loop: zero_grad, forward, loss, backward, torch.optim step
  keras        model.compile + model.train_on_batch per batch (Keras' compiled train step)
  keras-fit    model.fit on a tf.data pipeline yielding Rosetta's batches (shuffle=False)
  tf-function  a @tf.function train step (GradientTape, Keras optimizer) in a Python loop

Dropout uses the framework's own RNG and Keras its own BatchNormalization and SGD/Adam (see
rosetta_models: the same math up to rounding, except Adam's epsilon placement and Keras BN's
biased running variance). Weight decay, where the spec has it, is PyTorch's coupled L2: an L2
loss term for Keras. Batch gathering (indexing the training set) is inside the timed loop, as
in any training loop.

Train mode: --warmup-steps untimed steps, then --seconds of steps in six equal windows; the
rate is samples over the windows' total time. Infer mode (eval mode, no gradients, output
copied back to numpy): --warmup-steps untimed calls, then half of --seconds of batch-1 calls
(latency p50/p99, nearest rank) and half of batch --infer-batch calls (samples/s, six windows).
Inputs are Rosetta's benchmark inputs, (float) SplittableRandom(seed).nextDouble().

A spec that reads token ids (input dtype int64, e.g. examples/char-gpt.json) is timed in torch
training only: --data is the text file or folder Rosetta reads, --init the initial weights
(`rosetta bench --compare` writes Rosetta's to a temporary file; rosetta_random does not draw
the embeddings' and attention's initialisers), and the model, the text windows and the step are
char_gpt_torch.py's. The JSON adds tokens_per_second (samples/s times the sequence length).

Ends with one JSON line with --json (plus the host's load average at the end, since other work
on a shared machine slows every figure).
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np

import rosetta_models
import rosetta_random
import rosetta_spec

WINDOWS = 6


def batches(n, spec):
    """Endless index arrays in Rosetta's order, epoch after epoch; the last of an epoch short."""
    t, epoch = spec["training"], 0
    while True:
        epoch += 1
        order = rosetta_random.batch_order(n, t["seed"], epoch, t["shuffle"])
        for start in range(0, n, t["batch_size"]):
            yield order[start:start + t["batch_size"]]


def time_windows(run, seconds):
    """Calls run() -> samples until each of WINDOWS windows of seconds/WINDOWS has passed;
    returns (samples/s over all windows, per-window rates, calls)."""
    rates, samples, elapsed, calls = [], 0, 0.0, 0
    for _ in range(WINDOWS):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / WINDOWS:
            n += run()
            calls += 1
        took = time.perf_counter() - start
        rates.append(n / took)
        samples += n
        elapsed += took
    return samples / elapsed, rates, calls


def infer_inputs(spec, batch):
    """Rosetta's InferenceBenchmark inputs: one sample from seed, `batch` samples from seed + 1."""
    shape, seed = tuple(spec["input"]["shape"]), spec["training"]["seed"]
    size = int(np.prod(shape))
    one = rosetta_random.SplittableRandom(seed).next_doubles(size).astype(np.float32).reshape((1,) + shape)
    many = rosetta_random.SplittableRandom(seed + 1).next_doubles(size * batch).astype(np.float32).reshape((batch,) + shape)
    return one, many


class Torch:
    def __init__(self, spec, weights, x, y, threads):
        import torch
        torch.set_num_threads(threads)
        torch.set_num_interop_threads(1)
        self.torch = torch
        self.model = self.build(spec, weights)
        self.xs, self.ys = torch.as_tensor(x), torch.as_tensor(y)
        self.step = None
        self.spec = spec

    @staticmethod
    def build(spec, weights):
        model = rosetta_models.TorchModel(spec, exact=False)
        model.load_canonical(weights)
        return model

    def train_step(self):
        """step(x, y, global_step) -> loss."""
        return rosetta_models.torch_train_step(self.spec, self.model)

    def train(self, idx):
        if self.step is None:
            self.model.train()
            self.step = self.train_step()
        i = self.torch.from_numpy(idx)
        self.step(self.xs[i], self.ys[i], 0)

    def predict(self, xb):
        self.model.eval()
        with self.torch.inference_mode():
            return self.model(self.torch.from_numpy(xb)).numpy()

    @staticmethod
    def versions():
        import torch
        return {"torch": torch.__version__}


class TokenTorch(Torch):
    """torch on a spec that reads token ids: char_gpt_torch.py's model (embeddings, causal
    attention) and its step (mean cross-entropy over every position, the spec's optimizer)."""

    @staticmethod
    def build(spec, weights):
        import char_gpt_torch
        model = char_gpt_torch.SpecModel(spec)
        char_gpt_torch.load_weights(model, weights)
        return model

    def train_step(self):
        import char_gpt_torch
        step = char_gpt_torch.train_step(self.spec, self.model)
        return lambda x, y, _: step(x, y)


class Keras:
    """--framework keras: compile + train_on_batch / predict_on_batch."""

    def __init__(self, spec, weights, x, y, threads):
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        self.tf, self.spec, self.x = tf, spec, x
        self.y = rosetta_models.labels_to_targets(spec, y, rosetta_models.output_width(spec))
        self.model = rosetta_models.KerasModel(spec, exact=False)
        self.model.load_canonical(weights)
        rosetta_models.compile_native(self.model, spec)

    def train(self, idx):
        self.model.train_on_batch(self.x[idx], self.y[idx])

    def predict(self, xb):
        return np.asarray(self.model.predict_on_batch(xb))

    @staticmethod
    def versions():
        import keras
        import tensorflow as tf
        return {"tensorflow": tf.__version__, "keras": keras.__version__}


class KerasFit(Keras):
    """--framework keras-fit: model.fit / model.predict. Training is driven by fit itself, so it
    overrides run_train instead of train."""

    def run_train(self, warmup, seconds):
        tf, spec = self.tf, self.spec
        n, bs = len(self.x), spec["training"]["batch_size"]
        xt, yt = tf.constant(self.x), tf.constant(self.y)
        orders = tf.data.Dataset.from_generator(
            lambda: (rosetta_random.batch_order(n, spec["training"]["seed"], e, spec["training"]["shuffle"]) for e in range(1, 1 << 30)),
            output_signature=tf.TensorSpec([n], tf.int64))
        data = (orders.flat_map(lambda o: tf.data.Dataset.from_tensor_slices(o).batch(bs))
                .map(lambda i: (tf.gather(xt, i), tf.gather(yt, i))).prefetch(2))
        sizes = (len(i) for i in batches(n, spec))  # the sample count of each batch fit takes

        import keras

        class Windows(keras.callbacks.Callback):
            """Times the steps fit runs: warm-up, then WINDOWS windows of seconds/WINDOWS."""

            def __init__(self):
                super().__init__()
                self.step, self.rates, self.samples, self.elapsed, self.n, self.start = 0, [], 0, 0.0, 0, None

            def on_train_batch_end(self, batch, logs=None):
                self.step += 1
                size = next(sizes)
                if self.step == warmup:
                    self.start = time.perf_counter()
                elif self.step > warmup:
                    self.n += size
                    took = time.perf_counter() - self.start
                    if took >= seconds / WINDOWS:
                        self.rates.append(self.n / took)
                        self.samples += self.n
                        self.elapsed += took
                        self.n, self.start = 0, time.perf_counter()
                        self.model.stop_training = len(self.rates) == WINDOWS

        w = Windows()
        self.model.fit(data, epochs=1, steps_per_epoch=1 << 30, verbose=0, shuffle=False, callbacks=[w])
        return w.samples / w.elapsed, w.rates, w.step - warmup

    def predict(self, xb):
        return self.model.predict(xb, batch_size=len(xb), verbose=0)


class TfFunction(Keras):
    """--framework tf-function: rosetta_models.keras_train_step (a @tf.function with a
    GradientTape and Keras' optimizer) and a @tf.function forward."""

    def __init__(self, spec, weights, x, y, threads):
        super().__init__(spec, weights, x, y, threads)
        self.y = y  # keras_train_step one-hots mse targets itself
        self.step = rosetta_models.keras_train_step(spec, self.model, "native")
        self.forward = self.tf.function(lambda xb: self.model(xb, training=False), reduce_retracing=True, autograph=False)

    def train(self, idx):
        self.step(self.x[idx], self.y[idx], 0)

    def predict(self, xb):
        return self.forward(xb).numpy()


FRAMEWORKS = {"torch": Torch, "keras": Keras, "keras-fit": KerasFit, "tf-function": TfFunction}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--framework", required=True, choices=list(FRAMEWORKS))
    p.add_argument("--spec", required=True)
    p.add_argument("--data", required=True, help="IDX folder (MNIST layout, raw or .gz); for a spec reading token ids, "
                                                 "the text file or folder")
    p.add_argument("--batch-size", type=int, help="override training.batch_size")
    p.add_argument("--threads", type=int, default=1, help="intra-op threads (Rosetta's default is 1)")
    p.add_argument("--warmup-steps", type=int, default=50)
    p.add_argument("--seconds", type=float, default=10.0, help="timed seconds after warm-up")
    p.add_argument("--mode", choices=["train", "infer"], default="train")
    p.add_argument("--infer-batch", type=int, default=256)
    p.add_argument("--init", metavar="CKPT", help="initial weights (default: Rosetta's seeded initialisation)")
    p.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    a = p.parse_args()

    spec = rosetta_spec.load_spec(a.spec)
    if a.batch_size:
        spec["training"]["batch_size"] = a.batch_size
    length = spec["input"]["shape"][0] if spec["input"].get("dtype") == "int64" else None
    if length:
        if a.framework != "torch" or a.mode != "train":
            p.error("a spec that reads token ids is timed in torch training only")
        if not a.init:
            p.error("a spec that reads token ids needs --init CKPT (its initial weights; rosetta bench --compare writes them)")
        import char_gpt_torch
        (x, y), _, _ = char_gpt_torch.load_text(a.data, length)
        fw = TokenTorch(spec, rosetta_models.read_checkpoint(a.init)[0], x, y, a.threads)
    else:
        weights = rosetta_models.read_checkpoint(a.init)[0] if a.init else rosetta_random.initialize(spec)
        x, y = rosetta_spec.load_idx(a.data, "train", spec["input"]["shape"])
        fw = FRAMEWORKS[a.framework](spec, weights, x, y, a.threads)
    out = {"framework": a.framework, "mode": a.mode, "spec": spec["name"], "threads": a.threads,
           "batch_size": spec["training"]["batch_size"]}

    if a.mode == "train":
        if isinstance(fw, KerasFit):
            rate, rates, steps = fw.run_train(a.warmup_steps, a.seconds)
        else:
            it = batches(len(x), spec)
            for _ in range(a.warmup_steps):
                fw.train(next(it))

            def run():
                idx = next(it)
                fw.train(idx)
                return len(idx)

            rate, rates, steps = time_windows(run, a.seconds)
        summary = f"{rate:,.0f} samples/s training"
        if length:
            out.update({"sequence_length": length, "tokens_per_second": round(rate * length, 1)})
            summary += f" ({rate * length:,.0f} tokens/s)"
    else:
        one, many = infer_inputs(spec, a.infer_batch)
        for _ in range(a.warmup_steps):
            fw.predict(one)
        for _ in range(max(1, a.warmup_steps // 10)):
            fw.predict(many)
        latencies, end = [], time.perf_counter() + a.seconds / 2
        while time.perf_counter() < end or len(latencies) < 10:
            start = time.perf_counter()
            fw.predict(one)
            latencies.append(time.perf_counter() - start)
        lat = np.sort(np.array(latencies)) * 1e3
        nearest_rank = lambda q: float(lat[max(0, int(np.ceil(q / 100 * len(lat))) - 1)])  # noqa: E731
        rate, rates, steps = time_windows(lambda: len(fw.predict(many)), a.seconds / 2)
        out.update({"infer_batch": a.infer_batch, "latency_p50_ms": round(nearest_rank(50), 4),
                    "latency_p99_ms": round(nearest_rank(99), 4), "latency_runs": len(lat)})
        summary = (f"batch-1 latency p50 {out['latency_p50_ms']:.3f} ms, p99 {out['latency_p99_ms']:.3f} ms "
                   f"({len(lat)} runs); batch-{a.infer_batch} {rate:,.0f} samples/s")

    out.update({"samples_per_second": round(rate, 1), "window_samples_per_second": [round(r) for r in rates], "steps": steps,
                "versions": {"python": platform.python_version(), "numpy": np.__version__, **fw.versions()},
                "load_average": [round(v, 2) for v in os.getloadavg()]})  # other work on a shared host shows here
    r = sorted(rates)
    print(f"{a.framework} {a.mode} {spec['name']}, {a.threads} thread(s), batch {out['batch_size']}: {summary} "
          f"({WINDOWS} windows: min {r[0]:,.0f}, max {r[-1]:,.0f})", file=sys.stderr if a.json else sys.stdout)
    if a.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
