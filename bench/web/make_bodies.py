#!/usr/bin/python3
"""Writes the request bodies of the web load benchmark from the committed sample's test split.

single.json   one MNIST digit as 28x28 pixels (preprocessed by the server, as any user image is)
mnist.json    the same digit with "preprocess": false (MNIST-format pixels straight to the model)
drawing.png   the digit as a 280x280 dark-on-light PNG, as the draw page's canvas sends it
batch.json    BATCH digits (default 64) as one batch of pixels
"""
import gzip, json, struct, sys, zlib, os

out, sample = sys.argv[1], sys.argv[2]
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
with gzip.open(os.path.join(sample, "t10k-images-idx3-ubyte.gz")) as f:
    magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
    pixels = f.read(count * rows * cols)
digit = lambda i: list(pixels[i * 784:(i + 1) * 784])

with open(os.path.join(out, "single.json"), "w") as f:
    json.dump({"pixels": digit(0)}, f)
with open(os.path.join(out, "mnist.json"), "w") as f:
    json.dump({"pixels": digit(0), "preprocess": False}, f)
with open(os.path.join(out, "batch.json"), "w") as f:
    json.dump({"images": [{"pixels": digit(i)} for i in range(batch)]}, f)

# 280x280 8-bit gray PNG, dark ink on white: each MNIST pixel becomes a 10x10 block.
side = 280
raw = bytearray()
d = digit(0)
for y in range(side):
    raw.append(0)  # filter type None
    raw.extend(255 - d[(y // 10) * 28 + x // 10] for x in range(side))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
with open(os.path.join(out, "drawing.png"), "wb") as f:
    f.write(png)
