#!/usr/bin/env python3
"""Generate synthetic prescriptions with ground truth for evaluating rxflow intake.

For each document NAME in OUT:
  NAME.json        {"lines": [...], "fields": {...}}  (see data/rxgen/README.md)
  NAME_clean.png   the page as printed
  NAME_photo.jpg   a phone photo of the page on a table
and one OUT/rxgen-manifest.jsonl with render details (layout, fonts, line boxes,
page corners in the photo). Output is a function of --seed and the document index.

Usually run through data/rxgen/run, which sets up the venv and fonts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from rxgen import GENERATOR_VERSION
from rxgen.content import Prescription, make_prescription
from rxgen.drugs import DrugPicker, load_products
from rxgen.fonts import available_families
from rxgen.ids import dea_valid, npi_valid
from rxgen.photo import FRAME, photograph
from rxgen.render import DPI, render

LARGE_FRAME = (1536, 2048)
FIXTURE_DPI = 150
FIXTURE_FRAME = (1080, 1440)

_state: dict = {}


def check(rx: Prescription, lines: list[str]) -> None:
    """Every ground-truth value must be printed, and the identifiers must be valid."""
    pr = rx.prescriber
    assert npi_valid(pr.npi), pr.npi
    assert dea_valid(pr.dea, pr.person.last), pr.dea
    tokens = {t.strip("()") for t in " ".join(lines).split()}
    values = [rx.patient_printed, rx.dob_printed, rx.written_printed]
    for item in rx.items:
        values += [item.name, item.strength, item.sig.text, item.disp, item.refills, item.ndc]
    for value in values:
        missing = [t for t in value.split() if t.strip("()") not in tokens]
        if missing:
            raise AssertionError(f"{value!r} not printed (missing {missing})")


def make_document(index: int) -> dict:
    args = _state["args"]
    name = f"{args.prefix}{index:04d}"
    rx = make_prescription(random.Random(f"rxgen/{args.seed}/{index}/content"), _state["drugs"])
    layout_rng = random.Random(f"rxgen/{args.seed}/{index}/layout")
    dpi = FIXTURE_DPI if args.fixture else DPI
    page, lines, layout = render(rx, layout_rng, _state["fonts"], dpi=dpi)
    texts = [ln["text"] for ln in lines]
    check(rx, texts)
    out: Path = args.out
    with open(out / f"{name}.json", "w", encoding="utf-8") as f:
        json.dump({"lines": texts, "fields": rx.fields()}, f, indent=1, ensure_ascii=True)
        f.write("\n")
    if args.fixture:
        page.convert("L").save(out / f"{name}_clean.png", optimize=True)
    else:
        page.save(out / f"{name}_clean.png", optimize=True)
    record = {"name": name, "seed": args.seed, "index": index, "generator": GENERATOR_VERSION,
              "layout": layout, "lines": lines}
    if not args.no_photo:
        photo_rng = np.random.default_rng([args.seed, index, 2])
        if args.fixture:
            frame = FIXTURE_FRAME
        elif max(page.size) / dpi >= 8:  # letter-size pages: keep text as large as on a pad
            frame = LARGE_FRAME
        else:
            frame = FRAME
        photo, info = photograph(page, photo_rng, frame)
        quality = int(photo_rng.integers(50, 56) if args.fixture else photo_rng.integers(55, 66))
        photo.save(out / f"{name}_photo.jpg", quality=quality)
        info["jpeg_quality"] = quality
        record["photo"] = info
    return record


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--products", type=Path, required=True, help="FDA NDC directory product.txt")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--start", type=int, default=0, help="first document index")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--prefix", default="rx")
    ap.add_argument("--fixture", action="store_true", help=f"small files: {FIXTURE_DPI} dpi grey page, "
                    f"{FIXTURE_FRAME[0]}x{FIXTURE_FRAME[1]} photo")
    ap.add_argument("--no-photo", action="store_true")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args(argv)
    if args.seed < 0 or args.count < 1 or args.start < 0:
        ap.error("--seed and --start must be >= 0, --count >= 1")
    args.out.mkdir(parents=True, exist_ok=True)
    _state["args"] = args
    _state["fonts"] = available_families()
    _state["drugs"] = DrugPicker(load_products(args.products))
    indices = range(args.start, args.start + args.count)
    if args.jobs > 1:
        with Pool(args.jobs) as pool:
            records = pool.map(make_document, indices, chunksize=4)
    else:
        records = [make_document(i) for i in indices]
    with open(args.out / "rxgen-manifest.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=True) + "\n")
    print(f"rxgen: wrote {len(records)} documents to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
