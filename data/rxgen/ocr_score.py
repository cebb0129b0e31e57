#!/usr/bin/env python3
"""Score OCR output against rxgen ground truth (standard library only).

    ocr_score.py RESULTS.jsonl [RESULTS.jsonl ...]

RESULTS lines are JSON objects with "image" (a path NAME_clean.png or NAME_photo.jpg
next to NAME.json) and "text" (the OCR text, lines separated by newlines), as the
reference ocrbench writes them; lines without "image" are ignored.

Reports per file set:
  page CER     edit distance between the whitespace-normalised OCR text and the
               reference lines joined by spaces, over the reference length;
  key fields   share of printed key values (patient, DOB, date, and per drug: name,
               strength, quantity, refills) found verbatim in the normalised OCR text;
               "ignoring spaces" compares with all whitespace removed (ocrs may join two
               runs of one row without a space, or drop the space after a colon).
Line order is not scored: the page CER counts reordering (e.g. two fields of one
row read as one line) as errors, so compare it between engines, not to zero.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def normalise(text: str) -> str:
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def key_values(fields: dict) -> list[str]:
    values = [fields["patient"], fields.get("dob_printed", fields["dob"]), fields.get("date_printed", fields["date"])]
    for d in fields["drugs"]:
        values += [d["name"], d["strength"], d["disp"], d["refills"]]
    return [normalise(v) for v in values if v]


def truth_for(image: str) -> Path:
    name = re.sub(r"_(clean|photo)\.[a-z]+$", "", Path(image).name)
    return Path(image).with_name(name + ".json")


def score(path: Path) -> dict:
    n_chars = n_errors = n_fields = n_hits = n_hits_nospace = pages = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if "image" not in rec:
            continue
        truth = json.loads(truth_for(rec["image"]).read_text(encoding="utf-8"))
        ref = normalise(" ".join(truth["lines"]))
        hyp = normalise(rec["text"])
        n_chars += len(ref)
        n_errors += edit_distance(ref, hyp)
        keys = key_values(truth["fields"])
        n_fields += len(keys)
        n_hits += sum(1 for k in keys if k in hyp)
        squeezed = hyp.replace(" ", "")
        n_hits_nospace += sum(1 for k in keys if k.replace(" ", "") in squeezed)
        pages += 1
    return {"file": str(path), "pages": pages, "page_cer": n_errors / max(1, n_chars),
            "key_fields": n_hits / max(1, n_fields), "key_fields_nospace": n_hits_nospace / max(1, n_fields),
            "fields": n_fields}


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    for arg in argv:
        r = score(Path(arg))
        print(f"{r['file']}: {r['pages']} pages, page CER {100 * r['page_cer']:.2f}%, "
              f"key fields {100 * r['key_fields']:.1f}% of {r['fields']} "
              f"({100 * r['key_fields_nospace']:.1f}% ignoring spaces)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
