#!/usr/bin/python3
"""Writes the PNG decoder's test fixtures: one small PNG per colour type, bit depth, transparency and interlace
combination, each next to NAME.rgba16 holding the pixels the decoder must produce (big-endian uint16 R, G, B, A per
pixel, row-major, every sample scaled to 16 bits: v * 65535 // (2**depth - 1); tRNS becomes alpha 0).

Independent of the C# code: raw PNG written with zlib and struct; rows filtered with all five filter types in turn
(filter = (row + pass) % 5), IDAT split into several chunks for the interlaced files, ancillary chunks sprinkled in.
Run from the repository root: /usr/bin/python3 tests/MlNetDigits.Tests/Imaging/Fixtures/make_png_fixtures.py
"""
import os
import struct
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """Samples (ints) of one scanline into bytes, most significant bits first."""
    if depth == 16:
        return b"".join(struct.pack(">H", int(s)) for s in samples)
    if depth == 8:
        return bytes(int(s) for s in samples)
    out, acc, bits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | int(s)
        bits += depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prior, bpp):
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i] if prior is not None else 0
        c = prior[i - bpp] if prior is not None and i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (x - pred) & 255
    return bytes([kind]) + bytes(out)


def image_data(samples, depth, interlaced):
    """samples: (H, W, C) ints -> the filtered scanlines of every pass, concatenated."""
    h, w, c = samples.shape
    bpp = max(1, c * depth // 8)
    passes = ADAM7 if interlaced else [(0, 0, 1, 1)]
    raw = bytearray()
    for p, (x0, y0, dx, dy) in enumerate(passes):
        sub = samples[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        prior = None
        for y in range(sub.shape[0]):
            row = pack_row(sub[y].reshape(-1), depth)
            raw += filter_row((y + p) % 5, row, prior, bpp)
            prior = row
    return bytes(raw)


def write(name, samples, depth, color, interlaced, palette=None, trns=None):
    h, w, _ = samples.shape
    compressed = zlib.compress(image_data(samples, depth, interlaced), 9)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 1 if interlaced else 0))
    png += chunk(b"tEXt", b"Comment\x00MlNetDigits decoder fixture")
    if palette is not None:
        png += chunk(b"PLTE", bytes(palette.reshape(-1).astype(np.uint8)))
    if trns is not None:
        png += chunk(b"tRNS", trns)
    pieces = [compressed[i:i + 37] for i in range(0, len(compressed), 37)] if interlaced else [compressed]
    for piece in pieces:
        png += chunk(b"IDAT", piece)
    png += chunk(b"tIME", struct.pack(">HBBBBB", 2026, 11, 22, 2, 0, 0))
    png += chunk(b"IEND", b"")
    with open(os.path.join(HERE, name + ".png"), "wb") as f:
        f.write(png)
    with open(os.path.join(HERE, name + ".rgba16"), "wb") as f:
        f.write(expected(samples, depth, color, palette, trns).astype(">u2").tobytes())


def expected(samples, depth, color, palette, trns):
    h, w, _ = samples.shape
    top = (1 << depth) - 1
    out = np.zeros((h, w, 4), dtype=np.int64)
    s = samples.astype(np.int64)
    if color == 3:
        out[..., :3] = palette[s[..., 0]].astype(np.int64) * 257
        alpha = np.full(256, 255, dtype=np.int64)
        if trns is not None:
            alpha[: len(trns)] = list(trns)
        out[..., 3] = alpha[s[..., 0]] * 257
        return out
    scaled = s * 65535 // top
    if color in (0, 4):
        out[..., 0] = out[..., 1] = out[..., 2] = scaled[..., 0]
    else:
        out[..., :3] = scaled[..., :3]
    if color in (4, 6):
        out[..., 3] = scaled[..., -1]
    else:
        out[..., 3] = 65535
        if trns is not None:
            key = np.frombuffer(trns, dtype=">u2").astype(np.int64)
            out[..., 3][np.all(s == key, axis=-1)] = 0
    return out


def main():
    rng = np.random.RandomState(20261122)
    for interlaced in (False, True):
        suffix = "_adam7" if interlaced else ""
        for color, depths in [(0, [1, 2, 4, 8, 16]), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16])]:
            for depth in depths:
                samples = rng.randint(0, 1 << depth, size=(11, 13, CHANNELS[color]))
                palette = None
                if color == 3:
                    entries = min(1 << depth, 200)
                    palette = rng.randint(0, 256, size=(entries, 3))
                    samples = rng.randint(0, entries, size=(11, 13, 1))
                write(f"ct{color}_d{depth}{suffix}", samples, depth, color, interlaced, palette)
        # transparency by a key colour or palette alpha
        s = rng.randint(0, 256, size=(11, 13, 1))
        write(f"ct0_d8_trns{suffix}", s, 8, 0, interlaced, trns=struct.pack(">H", int(s[3, 4, 0])))
        s = rng.randint(0, 4, size=(11, 13, 1))
        write(f"ct0_d2_trns{suffix}", s, 2, 0, interlaced, trns=struct.pack(">H", 1))
        s = rng.randint(0, 4, size=(11, 13, 3)) * 60
        key = s[5, 6]
        write(f"ct2_d8_trns{suffix}", s, 8, 2, interlaced, trns=struct.pack(">HHH", *map(int, key)))
        s = rng.randint(0, 3, size=(11, 13, 3)) * 30000
        write(f"ct2_d16_trns{suffix}", s, 16, 2, interlaced, trns=struct.pack(">HHH", *map(int, s[0, 0])))
        palette = rng.randint(0, 256, size=(16, 3))
        s = rng.randint(0, 16, size=(11, 13, 1))
        write(f"ct3_d4_trns{suffix}", s, 4, 3, interlaced, palette, bytes(rng.randint(0, 256, size=10).astype(np.uint8)))
        palette = rng.randint(0, 256, size=(256, 3))
        s = rng.randint(0, 256, size=(11, 13, 1))
        write(f"ct3_d8_trns{suffix}", s, 8, 3, interlaced, palette, bytes(rng.randint(0, 256, size=256).astype(np.uint8)))
    # interlaced images smaller than an Adam7 block: some passes are empty and carry no rows at all
    for w, h in [(1, 1), (2, 3), (5, 1), (9, 9)]:
        write(f"ct6_d8_adam7_{w}x{h}", rng.randint(0, 256, size=(h, w, 4)), 8, 6, True)
        write(f"ct0_d1_adam7_{w}x{h}", rng.randint(0, 2, size=(h, w, 1)), 1, 0, True)


if __name__ == "__main__":
    main()
