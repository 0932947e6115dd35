#!/usr/bin/python3
"""PyTorch doing what `mlnetdigits train --trainer cnn --preset fast` does, end to end, for bench/cli/run.sh:
read the MNIST IDX files, hold out 6,000 validation images (seeded), normalise, train the "fast" recipe for one epoch
(the same network as bench/engine/torch_reference.py's fast_net: Adam lr 1e-2, betas (0.7, 0.9), one-cycle, batch 256,
shuffled), evaluate on validation, fit a softmax temperature on the validation logits (LBFGS), evaluate on the test
set, and save the model (ONNX export, as the CLI's zip holds ONNX). Prints "RESULT name value unit" lines.
Needs Debian's python3-torch; 2 threads, as the CLI uses on the 2-core machine.

Usage: torch_train_fast.py --data DIR [--seed 1] [--out /tmp/torch-fast.onnx]
"""
import argparse
import os
import resource
import struct
import time

start = time.perf_counter()
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(2)


def result(name, value, unit):
    print(f"RESULT {name} {value:.6g} {unit}", flush=True)


def load(folder, prefix):
    with open(os.path.join(folder, f"{prefix}-images-idx3-ubyte"), "rb") as f:
        _, n, rows, cols = struct.unpack(">iiii", f.read(16))
        images = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, 1, rows, cols)
    with open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), "rb") as f:
        f.read(8)
        labels = np.frombuffer(f.read(), dtype=np.uint8)
    return torch.from_numpy(images.astype(np.float32)), torch.from_numpy(labels.astype(np.int64))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="/tmp/torch-fast.onnx")
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    x, y = load(args.data, "train")
    tx, ty = load(args.data, "t10k")
    order = torch.randperm(len(x))
    val, train = order[:6000], order[6000:]
    mean, std = x[train].mean() / 255.0, (x[train] / 255.0).std()
    norm = lambda t: (t / 255.0 - mean) / std  # noqa: E731
    xv, yv, xt, yt = norm(x[val]), y[val], norm(x[train]), y[train]

    model = nn.Sequential(
        nn.Conv2d(1, 24, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(24, 32, 3), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(800, 256), nn.ReLU(), nn.Linear(256, 10))
    batch = 256
    steps = (len(xt) + batch - 1) // batch
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.7, 0.9))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=steps, cycle_momentum=False)
    train_start = time.perf_counter()
    model.train()
    perm = torch.randperm(len(xt))
    for s in range(0, len(xt), batch):
        idx = perm[s:s + batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        sched.step()
    epoch_seconds = time.perf_counter() - train_start

    model.eval()
    with torch.no_grad():
        val_logits = torch.cat([model(xv[s:s + 1000]) for s in range(0, len(xv), 1000)])
        val_acc = (val_logits.argmax(1) == yv).float().mean().item()
    log_t = torch.zeros(1, requires_grad=True)
    lbfgs = torch.optim.LBFGS([log_t], lr=0.1, max_iter=50)

    def closure():
        lbfgs.zero_grad()
        nll = F.cross_entropy(val_logits / log_t.exp(), yv)
        nll.backward()
        return nll
    lbfgs.step(closure)
    temperature = log_t.exp().item()

    with torch.no_grad():
        xtest = norm(tx)
        logits = torch.cat([model(xtest[s:s + 1000]) for s in range(0, len(xtest), 1000)]) / temperature
        test_acc = (logits.argmax(1) == ty).float().mean().item()
        test_nll = F.cross_entropy(logits, ty).item()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), args.out, opset_version=13,
                      input_names=["Image"], output_names=["Logits"], dynamic_axes={"Image": {0: "N"}, "Logits": {0: "N"}})
    total = time.perf_counter() - start
    result("torch_fast_epoch_seconds", epoch_seconds, "s")
    result("torch_fast_validation_accuracy", 100 * val_acc, "%")
    result("torch_fast_temperature", temperature, "")
    result("torch_fast_test_accuracy", 100 * test_acc, "%")
    result("torch_fast_test_logloss", test_nll, "")
    result("torch_fast_in_process_seconds", total, "s")
    result("torch_fast_peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")


if __name__ == "__main__":
    main()
