#!/usr/bin/env python3
"""Page CER of any OCR engine's text, scored like `rxflow eval intake` (standard library only).

    score_text.py RESULTS.jsonl [--json]

RESULTS lines are JSON objects with "image" (a path NAME_clean.png or NAME_photo.jpg
next to the ground truth NAME.json), "text" (OCR text, lines separated by "\\n") and
optionally "cpu_ms"; lines without "image" (e.g. a summary line) are ignored.

Page CER matches intake/src/eval.rs `page_errors`: for reference ("lines" of NAME.json)
and hypothesis alike, each line has every '_' removed and its whitespace collapsed to
single spaces, empty lines are dropped, and the lines are joined with "\\n"; the
case-sensitive Levenshtein distance over characters is summed over pages and divided by
the total reference length. Clean and photo images are scored separately; prints pages,
page CER and mean CPU ms per page (when every record has "cpu_ms"), or with --json one
object {"clean": {...}, "photo": {...}}.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# Rust's char::is_whitespace (Unicode White_Space); Python's str.split() also splits on \x1c-\x1f.
_WS = re.compile("[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def normalise(lines: list[str]) -> str:
    out = (" ".join(w for w in _WS.split(l.replace("_", "")) if w) for l in lines)
    return "\n".join(l for l in out if l)


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j - 1] + (ca != cb), prev[j] + 1, cur[j - 1] + 1))
        prev = cur
    return prev[-1]


def score(path: str) -> dict:
    tally = {k: {"pages": 0, "errors": 0, "ref_chars": 0, "cpu": []} for k in ("clean", "photo")}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        rec = json.loads(line) if line.strip() else {}
        if "image" not in rec:
            continue
        m = re.fullmatch(r"(.+)_(clean|photo)\.[A-Za-z]+", Path(rec["image"]).name)
        if not m:
            raise SystemExit(f"not NAME_clean.png / NAME_photo.jpg: {rec['image']}")
        truth = json.loads(Path(rec["image"]).with_name(m[1] + ".json").read_text(encoding="utf-8"))
        ref, hyp = normalise(truth["lines"]), normalise(rec["text"].split("\n"))
        t = tally[m[2]]
        t["pages"] += 1
        t["errors"] += levenshtein(ref, hyp)
        t["ref_chars"] += len(ref)
        if "cpu_ms" in rec:
            t["cpu"].append(float(rec["cpu_ms"]))
    result = {}
    for kind, t in tally.items():
        cpu = t.pop("cpu")
        t["page_cer"] = t["errors"] / max(1, t["ref_chars"])
        t["cpu_ms_mean"] = sum(cpu) / len(cpu) if cpu and len(cpu) == t["pages"] else None
        result[kind] = t
    return result


def main(argv: list[str]) -> int:
    files = [a for a in argv if a != "--json"]
    if len(files) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    result = score(files[0])
    if "--json" in argv:
        print(json.dumps(result))
        return 0
    print(files[0])
    for kind, t in result.items():
        cpu = "-" if t["cpu_ms_mean"] is None else f"{t['cpu_ms_mean']:.0f}"
        print(f"  {kind}: pages {t['pages']}  page CER {t['page_cer']:.4f}"
              f" ({t['errors']}/{t['ref_chars']})  CPU ms/page {cpu}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
