"""The README's report screenshots: builds the seeds (raw/) into a temporary folder and
writes the first screen (1280x900) of a relation page and of the claims page to
docs/img/relation.png and docs/img/claims.png.

Run from the checkout: ``.venv/bin/python docs/screenshots.py`` (needs headless
Chromium; Debian: ``apt-get install -y chromium``). The PNGs are made small here, with
no image library: the screenshot's 256 commonest colours become a palette (on these pages
they cover about 98% of the pixels; the rest, anti-aliased edges, take the nearest), then
oxipng or optipng runs on it when one is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 900
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def build_seeds(raw: Path, out: Path) -> Path:
    """Build ``raw`` into ``out`` with this checkout's curate; the reports folder."""
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", "build", "-q"]
    command += ["--raw", str(raw), "--out", str(out), "--no-cache"]
    env = {**os.environ, "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1")}
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    return out / "reports"


def screenshot(chromium: str, page: Path, target: Path, profile: Path) -> None:
    """The first WIDTH x HEIGHT pixels of ``page`` as rendered by headless Chromium."""
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += [f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}"]
    command += [f"--screenshot={target}", page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0 or not target.is_file():
        raise RuntimeError(f"chromium could not screenshot {page}: {result.stderr[-2000:]}")


def _chunks(data: bytes) -> dict[bytes, bytes]:
    """A PNG's chunks by type (IDAT chunks joined)."""
    found: dict[bytes, bytes] = {}
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        found[kind] = found.get(kind, b"") + body
        pos += 12 + length
    return found


def _paeth(a: int, b: int, c: int) -> int:
    """The PNG Paeth predictor of a byte from its left, upper and upper-left bytes."""
    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _unfilter_row(kind: int, line: np.ndarray, prev: np.ndarray, bpp: int) -> np.ndarray:
    """One scanline's bytes with its PNG filter undone (``prev`` is the row above)."""
    if kind == 0:
        return line
    if kind == 2:
        return (line + prev) & 255
    row = line.tolist()
    up = prev.tolist()
    for x in range(len(row)):
        a = row[x - bpp] if x >= bpp else 0
        c = up[x - bpp] if x >= bpp else 0
        guess = {1: a, 3: (a + up[x]) >> 1, 4: _paeth(a, up[x], c)}[kind]
        row[x] = (row[x] + guess) & 255
    return np.array(row, dtype=np.int32)


def read_png(data: bytes) -> np.ndarray:
    """The pixels (height, width, 3) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    chunks = _chunks(data)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unexpected PNG: depth {depth}, colour type {colour}")
    bpp = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, -1)
    rows = np.zeros((height, width * bpp), np.int32)
    prev = np.zeros(width * bpp, np.int32)
    for y in range(height):
        prev = rows[y] = _unfilter_row(int(raw[y, 0]), raw[y, 1:].astype(np.int32), prev, bpp)
    return rows.reshape(height, width, bpp)[:, :, :3].astype(np.uint8)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def palette_png(pixels: np.ndarray) -> bytes:
    """An 8-bit palette PNG of ``pixels``: the 256 commonest colours, any other colour
    drawn in the nearest of them."""
    height, width, _ = pixels.shape
    colours, inverse, counts = np.unique(
        pixels.reshape(-1, 3), axis=0, return_inverse=True, return_counts=True
    )
    palette = colours[np.argsort(-counts, kind="stable")[:256]].astype(np.int32)
    distance = ((colours[:, None, :].astype(np.int32) - palette[None]) ** 2).sum(axis=2)
    index = distance.argmin(axis=1).astype(np.uint8)[inverse.ravel()].reshape(height, width)
    scanlines = np.concatenate([np.zeros((height, 1), np.uint8), index], axis=1).tobytes()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 15, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return b"".join(
        [
            PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", palette.astype(np.uint8).tobytes()),
            _chunk(b"IDAT", compressor.compress(scanlines) + compressor.flush()),
            _chunk(b"IEND", b""),
        ]
    )


def shrink_png(path: Path) -> None:
    """Rewrite the screenshot at ``path`` as a palette PNG, then oxipng/optipng it."""
    path.write_bytes(palette_png(read_png(path.read_bytes())))
    for tool, flags in (("oxipng", ["-o", "4", "--strip", "safe"]), ("optipng", ["-o5", "-quiet"])):
        if shutil.which(tool):
            subprocess.run([tool, *flags, str(path)], check=True)
            return


def main(argv: list[str] | None = None) -> int:
    """Build the seeds and write relation.png and claims.png; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "raw", help="captures to build")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="PNG folder")
    args = parser.parse_args(argv)
    chromium = next(
        (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
    )
    if chromium is None:
        print("headless Chromium not installed (apt-get install -y chromium)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="curate-shots-") as tmp:
        reports = build_seeds(args.raw.resolve(), Path(tmp) / "processed")
        relations = sorted((reports / "relations").glob("*.html"))
        if not relations:
            print(f"{args.raw} gives no relation page to show", file=sys.stderr)
            return 1
        for page, name in ((relations[0], "relation.png"), (reports / "claims.html", "claims.png")):
            target = args.out / name
            screenshot(chromium, page, target, Path(tmp) / "profile")
            shrink_png(target)
            print(
                f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                f"{target.stat().st_size // 1024} kB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
