#!/usr/bin/env python3
"""Writes the small PNG digits notebook 05 classifies (notebooks/handwriting/*.png), without any imaging library.

Two kinds, each file named <digit>-<what>.png so the notebook knows the expected answer:
  * drawn: strokes (lines and elliptic arcs with round pen tips) in dark ink on light paper, as a phone photo or a
    canvas drawing would give, at sizes other than 28x28 and not centred;
  * changed sample digits: MNIST test digits from data/sample made thicker, moved off-centre on a larger canvas,
    inverted (black on white), on grey paper with noise.
Deterministic: run it again and the files are identical.  Usage: python3 scripts/notebooks/make_handwriting.py
"""
import gzip
import math
import os
import random
import struct
import zlib

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "notebooks", "handwriting")


def write_png(path, width, height, pixels):
    """8-bit grayscale PNG; pixels is a list of rows of ints 0..255."""
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


class Canvas:
    """Light paper; ink darkens it. Strokes are sampled densely and stamped with an anti-aliased round pen."""

    def __init__(self, width, height, paper=245):
        self.width, self.height = width, height
        self.ink = [[0.0] * width for _ in range(height)]
        self.paper = paper

    def stamp(self, cx, cy, radius):
        for y in range(max(0, int(cy - radius - 2)), min(self.height, int(cy + radius + 3))):
            for x in range(max(0, int(cx - radius - 2)), min(self.width, int(cx + radius + 3))):
                d = math.hypot(x + 0.5 - cx, y + 0.5 - cy)
                cover = min(1.0, max(0.0, radius + 0.5 - d))
                self.ink[y][x] = max(self.ink[y][x], cover)

    def line(self, x0, y0, x1, y1, pen):
        steps = max(2, int(math.hypot(x1 - x0, y1 - y0) * 2))
        for i in range(steps + 1):
            t = i / steps
            self.stamp(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, pen)

    def arc(self, cx, cy, rx, ry, start_deg, end_deg, pen):
        steps = max(8, int(abs(end_deg - start_deg) * max(rx, ry) / 20))
        for i in range(steps + 1):
            a = math.radians(start_deg + (end_deg - start_deg) * i / steps)
            self.stamp(cx + rx * math.cos(a), cy + ry * math.sin(a), pen)

    def pixels(self, ink_level=20):
        return [[round(self.paper - (self.paper - ink_level) * v) for v in row] for row in self.ink]


def drawn_digits():
    c = Canvas(120, 140)
    c.line(25, 30, 95, 28, 5)
    c.line(95, 28, 50, 120, 5)
    c.line(45, 75, 80, 73, 4)  # a continental bar
    yield "7-drawn-crossed", c

    c = Canvas(90, 150)
    c.line(30, 40, 50, 20, 4)
    c.line(50, 20, 52, 130, 5)
    yield "1-drawn-flag", c

    c = Canvas(160, 160)
    c.arc(85, 80, 38, 55, 0, 360, 6)
    yield "0-drawn-oval", c

    c = Canvas(130, 130)
    c.line(70, 15, 25, 85, 5)
    c.line(25, 85, 105, 85, 5)
    c.line(80, 45, 82, 120, 5)
    yield "4-drawn-open", c

    c = Canvas(120, 150)
    c.arc(58, 45, 30, 25, -160, 90, 5)
    c.arc(58, 100, 34, 30, -90, 160, 5)
    yield "3-drawn-arcs", c

    c = Canvas(200, 120)  # wide paper, digit on the right
    c.arc(150, 40, 22, 22, 0, 360, 4)
    c.line(172, 40, 165, 105, 4)
    yield "9-drawn-off-centre", c


def read_idx(images_gz, labels_gz):
    with gzip.open(images_gz) as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        data = f.read()
    with gzip.open(labels_gz) as f:
        _, m = struct.unpack(">II", f.read(8))
        labels = f.read()
    return [(labels[i], [list(data[i * h * w + r * w:i * h * w + (r + 1) * w]) for r in range(h)]) for i in range(n)]


def changed_sample_digits():
    sample = os.path.join(ROOT, "data", "sample")
    digits = read_idx(os.path.join(sample, "t10k-images-idx3-ubyte.gz"), os.path.join(sample, "t10k-labels-idx1-ubyte.gz"))
    first = {}
    for label, image in digits:
        first.setdefault(label, image)
    rng = random.Random(5)

    # Thicker: a 3x3 maximum filter (a fat marker).
    img = first[2]
    thick = [[max(img[yy][xx] for yy in range(max(0, y - 1), min(28, y + 2)) for xx in range(max(0, x - 1), min(28, x + 2))) for x in range(28)] for y in range(28)]
    yield "2-sample-thicker", thick

    # Off-centre: scaled up 3x into the top-left of a 120x100 canvas.
    img = first[5]
    off = [[0] * 120 for _ in range(100)]
    for y in range(84):
        for x in range(84):
            off[y + 2][x + 4] = img[y // 3][x // 3]
    yield "5-sample-off-centre", off

    # Inverted: black ink on white paper.
    yield "6-sample-inverted", [[255 - v for v in row] for row in first[6]]

    # Grey paper, faded ink, noise, twice the size.
    img = first[8]
    grey = [[min(255, max(0, round(150 - 0.45 * img[y // 2][x // 2] + rng.gauss(0, 8)))) for x in range(56)] for y in range(56)]
    yield "8-sample-grey-noisy", grey


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, canvas in drawn_digits():
        write_png(os.path.join(OUT, name + ".png"), canvas.width, canvas.height, canvas.pixels())
    for name, pixels in changed_sample_digits():
        write_png(os.path.join(OUT, name + ".png"), len(pixels[0]), len(pixels), pixels)
    print("wrote", len(os.listdir(OUT)), "files to", OUT)


if __name__ == "__main__":
    main()
