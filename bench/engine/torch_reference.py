#!/usr/bin/python3
"""The PyTorch reference for bench/engine/run.sh: the same workloads as bench/MlNetDigits.Bench.Engine, same output
format ("RESULT name value unit"). Needs Debian's python3-torch; uses 2 threads as the reference figures did.

Usage: torch_reference.py <gemm|layers|fast|classic|best|infer|all> [--data DIR] [--seeds 1,2,3] [--classic-batches N]
                          [--device cpu|cuda] [--no-tf32]
--device cuda (bench/gpu/run.sh) keeps the data set on the GPU and waits for the device before reading a clock;
--no-tf32 turns off cuDNN's TF32 convolutions (PyTorch's default on Ampere and later) for strict float32, as cuBLAS
runs the engine's GEMMs.
"""
import argparse
import os
import resource
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)


def result(name, value, unit):
    print(f"RESULT {name} {value:.6g} {unit}", flush=True)


DEVICE = torch.device("cpu")


def sync():
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()


def load(folder, prefix):
    with open(os.path.join(folder, f"{prefix}-images-idx3-ubyte"), "rb") as f:
        magic, n, rows, cols = struct.unpack(">iiii", f.read(16))
        images = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, 1, rows, cols)
    with open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), "rb") as f:
        f.read(8)
        labels = np.frombuffer(f.read(), dtype=np.uint8)
    x = (torch.from_numpy(images.astype(np.float32)) / 255.0 - 0.1307) / 0.3081
    return x.to(DEVICE), torch.from_numpy(labels.astype(np.int64)).to(DEVICE)


def fast_net():
    return nn.Sequential(
        nn.Conv2d(1, 24, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(24, 32, 3), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(800, 256), nn.ReLU(), nn.Linear(256, 10))


def classic_net():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def best_net():
    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
    return nn.Sequential(
        *block(1, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 4 * 4, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(256, 10))


def accuracy(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for s in range(0, len(x), 1000):
            correct += (model(x[s:s + 1000]).argmax(1) == y[s:s + 1000]).sum().item()
    model.train()
    return 100.0 * correct / len(x)


def gemm():
    a, b = torch.rand(2048, 2048) * 2 - 1, torch.rand(2048, 2048) * 2 - 1
    torch.mm(a, b)
    best = min(timed(lambda: torch.mm(a, b)) for _ in range(3))
    result("sgemm2048_torch", 2 * 2048 ** 3 / best / 1e9, "GFLOP/s")


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def layers():
    model = fast_net().to(DEVICE)
    x = (torch.rand(256, 1, 28, 28) * 3 - 1).to(DEVICE)
    y = (torch.arange(256) % 10).to(DEVICE)
    fwd, bwd = [], []
    for r in range(12):
        t0 = time.perf_counter()
        out = model(x)
        loss = F.cross_entropy(out, y)
        sync()
        t1 = time.perf_counter()
        model.zero_grad()
        loss.backward()
        sync()
        t2 = time.perf_counter()
        if r >= 2:
            fwd.append(t1 - t0)
            bwd.append(t2 - t1)
    result("fast_batch256_forward", 1e3 * sum(fwd) / len(fwd), "ms")
    result("fast_batch256_backward", 1e3 * sum(bwd) / len(bwd), "ms")


def infer(data):
    x, y = load(data, "t10k")
    model = fast_net().to(DEVICE).eval()
    one = x[:1]
    times = []
    with torch.no_grad():
        for r in range(1500):
            t0 = time.perf_counter()
            model(one).cpu()
            if r >= 300:
                times.append(time.perf_counter() - t0)
        times.sort()
        result("infer_one_image_median", times[len(times) // 2] * 1e6, "us")
        result("infer_one_image_best", times[0] * 1e6, "us")
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for s in range(0, len(x), 500):
                model(x[s:s + 500]).argmax(1).cpu()
            best = min(best, time.perf_counter() - t0)
        result("infer_10k_batched", len(x) / best, "images/s")


def epoch(model, optimizer, scheduler, x, y, batch, max_batches=0, label_smoothing=0.0):
    model.train()
    sync()
    start = time.perf_counter()
    for i, s in enumerate(range(0, len(x), batch)):
        if max_batches and i >= max_batches:
            break
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x[s:s + batch]), y[s:s + batch], label_smoothing=label_smoothing)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        if DEVICE.type == "cuda":
            loss.item()  # the engine reads every step's loss back (a device sync): so does the reference
    sync()
    return time.perf_counter() - start


def warm_up(build, make_optimizer, x, y, batch, label_smoothing=0.0):
    """On a GPU, a few steps of a throwaway model first (CUDA context, cuDNN and cuBLAS set-up), as the engine does."""
    if DEVICE.type != "cuda":
        return
    model = build().to(DEVICE)
    t = epoch(model, make_optimizer(model), None, x, y, batch, 3, label_smoothing)
    print(f"  warm-up: 3 steps in {t:.2f} s, not timed", flush=True)


def fast(data, seeds):
    x, y = load(data, "train")
    tx, ty = load(data, "t10k")
    secs, accs = [], []
    steps = (len(x) + 255) // 256
    warm_up(fast_net, lambda m: torch.optim.Adam(m.parameters(), lr=1e-2, betas=(0.7, 0.9)), x, y, 256)
    for seed in seeds:
        torch.manual_seed(seed)
        model = fast_net().to(DEVICE)
        opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.7, 0.9))
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=steps, cycle_momentum=False)
        t = epoch(model, opt, sched, x, y, 256)
        acc = accuracy(model, tx, ty)
        print(f"  torch fast seed {seed}: epoch {t:.2f} s, test accuracy {acc:.2f}%, load {os.getloadavg()}", flush=True)
        secs.append(t)
        accs.append(acc)
    result("fast_epoch_seconds_mean", sum(secs) / len(secs), "s")
    result("fast_epoch_seconds_best", min(secs), "s")
    result("fast_test_accuracy_mean", sum(accs) / len(accs), "%")
    result("fast_test_accuracy_min", min(accs), "%")


def classic(data, seed, max_batches):
    x, y = load(data, "train")
    torch.manual_seed(seed)
    model = classic_net().to(DEVICE)
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0)
    t = epoch(model, opt, None, x, y, 64, max_batches)
    total = (len(x) + 63) // 64
    if max_batches and max_batches < total:
        print(f"  torch classic: {max_batches} batches in {t:.2f} s, extrapolated to {total} batches", flush=True)
        t = t / max_batches * total
    result("classic_epoch_seconds", t, "s")


def best(data, seed):
    x, y = load(data, "train")
    tx, ty = load(data, "t10k")
    warm_up(best_net, lambda m: torch.optim.AdamW(m.parameters(), lr=3e-3, weight_decay=1e-4), x, y, 128, 0.05)
    torch.manual_seed(seed)
    model = best_net().to(DEVICE)
    steps = (len(x) + 127) // 128
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, cycle_momentum=False)
    t = epoch(model, opt, sched, x, y, 128, label_smoothing=0.05)
    print(f"  torch best: epoch {t:.2f} s, test accuracy {accuracy(model, tx, ty):.2f}%, load {os.getloadavg()}", flush=True)
    result("best_epoch_seconds", t, "s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", nargs="?", default="all")
    parser.add_argument("--data", default=os.environ.get("MNIST_DIR", "/tmp/npmt/package/data"))
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--classic-batches", type=int, default=0)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--no-tf32", action="store_true")
    args = parser.parse_args()
    global DEVICE
    DEVICE = torch.device(args.device)
    if args.no_tf32:
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    if DEVICE.type == "cuda":
        print(f"device {torch.cuda.get_device_name(0)}, cuDNN {torch.backends.cudnn.version()}, "
              f"TF32 convolutions {torch.backends.cudnn.allow_tf32}, TF32 matmul {torch.backends.cuda.matmul.allow_tf32}", flush=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average {os.getloadavg()}", flush=True)
    if args.mode in ("gemm", "all"):
        gemm()
    if args.mode in ("layers", "all"):
        layers()
    if args.mode in ("infer", "all"):
        infer(args.data)
    if args.mode in ("fast", "all"):
        fast(args.data, seeds)
    if args.mode in ("classic", "all"):
        classic(args.data, seeds[0], args.classic_batches)
    if args.mode in ("best", "all"):
        best(args.data, seeds[0])
    result(f"peak_working_set_{args.mode}", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, "MB")


if __name__ == "__main__":
    main()
