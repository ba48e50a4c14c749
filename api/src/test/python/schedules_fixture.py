"""Writes schedules-fixture.json: what PyTorch's LR schedulers and Keras's ReduceLROnPlateau and
EarlyStopping do on fixed inputs, for LearningRatesTest and EarlyStopperTest.

Run from the repository root with the project venv (torch 2.13, keras 3):
    /work/venv/bin/python api/src/test/python/schedules_fixture.py
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import torch  # noqa: E402

OUT = "api/src/test/resources/dev/rosetta/train/schedules-fixture.json"


def torch_rates(make, steps, lr):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    sched = make(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


def step_case():
    # StepLR stepped once per epoch: the rate of epochs 1..10.
    lr, size, gamma = 0.1, 3, 0.5
    rates = torch_rates(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=size, gamma=gamma), 10, lr)
    return {"learning_rate": lr, "step_size": size, "gamma": gamma, "rates_by_epoch": rates}


def cosine_case():
    # Linear warm-up then cosine annealing, stepped per batch: 4 epochs of 7 batches.
    lr, warmup, min_lr, epochs, batches = 0.1, 5, 0.001, 4, 7
    total = epochs * batches - warmup

    def make(o):
        warm = torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup - 1)
        cos = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=total, eta_min=min_lr)
        return torch.optim.lr_scheduler.SequentialLR(o, [warm, cos], milestones=[warmup])

    rates = torch_rates(make, epochs * batches, lr)
    return {"learning_rate": lr, "warmup_steps": warmup, "min_lr": min_lr, "decay_epochs": epochs,
            "batches_per_epoch": batches, "rates_by_step": rates}


def tiny_model(lr):
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return m


def plateau_case():
    lr = 0.1
    args = dict(monitor="val_loss", factor=0.5, patience=2, cooldown=1, min_lr=0.02, min_delta=0.01)
    values = [1.0, 0.9, 0.895, 0.893, 0.8, 0.805, 0.81, 0.82, 0.79, 0.78, 0.9, 0.9, 0.9, 0.9, 0.9]
    cb = keras.callbacks.ReduceLROnPlateau(**args)
    model = tiny_model(lr)
    cb.set_model(model)
    cb.on_train_begin()
    rates = []
    for e, v in enumerate(values):
        cb.on_epoch_end(e, {"val_loss": v})
        rates.append(float(model.optimizer.learning_rate.numpy()))
    return {"learning_rate": lr, **args, "values": values, "rates_after_epoch": rates}


def early_stopping_cases():
    cases = []
    specs = [
        (dict(monitor="val_loss", patience=2, min_delta=0.0), [1.0, 0.8, 0.81, 0.79, 0.8, 0.85, 0.7]),
        (dict(monitor="val_loss", patience=1, min_delta=0.05), [1.0, 0.9, 0.87, 0.86, 0.5]),
        (dict(monitor="val_accuracy", patience=2, min_delta=0.0, mode="max"), [0.5, 0.6, 0.6, 0.59, 0.7, 0.71]),
        (dict(monitor="val_loss", patience=0, start_from_epoch=2), [1.0, 2.0, 3.0, 2.5, 2.6, 2.0]),
        (dict(monitor="val_loss", patience=3, mode="max"), [1.0, 0.9, 0.8, 0.7, 0.6]),
    ]
    for args, values in specs:
        cb = keras.callbacks.EarlyStopping(**args)
        model = tiny_model(0.1)
        cb.set_model(model)
        cb.on_train_begin()
        ran = 0
        for e, v in enumerate(values):
            ran = e + 1
            cb.on_epoch_end(e, {args["monitor"]: v})
            if model.stop_training:
                break
        cases.append({**args, "values": values, "epochs_run": ran, "stopped": bool(model.stop_training),
                      "best_epoch": cb.best_epoch + 1})
    return cases


def main():
    fixture = {"step": step_case(), "cosine": cosine_case(), "reduce_on_plateau": plateau_case(),
               "early_stopping": early_stopping_cases(),
               "versions": {"torch": torch.__version__, "keras": keras.__version__}}
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
