#!/usr/bin/env python3
"""Writes the committed MNIST sample: a stratified, seeded subset (200 train / 100 test images per digit) in gzipped IDX.

Usage: python3 scripts/data/make-sample.py data/mnist data/sample
Reads the four raw IDX files fetched by `mlnetdigits data fetch`. Standard library only; the output is byte-identical
for the same input (fixed seed, gzip mtime 0).
"""
import gzip, random, struct, sys
from pathlib import Path

PER_CLASS = {"train": 200, "t10k": 100}

def read_idx(path):
    data = Path(path).read_bytes()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]

def write_idx_gz(path, magic_type, dims, payload):
    header = bytes([0, 0, magic_type, len(dims)]) + struct.pack(">" + "I" * len(dims), *dims)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(header + payload)

def main(src, dst):
    Path(dst).mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261122)
    for split, per_class in PER_CLASS.items():
        (n, rows, cols), pixels = read_idx(Path(src) / f"{split}-images-idx3-ubyte")
        (_,), labels = read_idx(Path(src) / f"{split}-labels-idx1-ubyte")
        by_class = {d: [i for i in range(n) if labels[i] == d] for d in range(10)}
        chosen = sorted(i for d in range(10) for i in rng.sample(by_class[d], per_class))
        size = rows * cols
        write_idx_gz(Path(dst) / f"{split}-images-idx3-ubyte.gz", 0x08, (len(chosen), rows, cols),
                     b"".join(pixels[i * size:(i + 1) * size] for i in chosen))
        write_idx_gz(Path(dst) / f"{split}-labels-idx1-ubyte.gz", 0x08, (len(chosen),), bytes(labels[i] for i in chosen))
        print(f"{split}: {len(chosen)} images")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
