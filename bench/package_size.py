"""Package size: what `sam build` (make sam) puts in each function's artifact, and what dominates it.

For the SAM build folder (default .aws-sam/build: one folder per function, named by its logical id) it prints
each function's artifact size (bytes of its files, unzipped, in MB, and deflated as a zip), how many distinct
artifacts there are (each tree hashed: relative paths and file contents), the total, the ten largest top-level
packages inside the largest artifact, and Babel's locale data there (babel/locale-data/*.dat: count and MB, and the
part the email languages can use: root and the languages' own locales, every region). Lambda's limits for a zip
deployment are 250 MB unzipped and 50 MB zipped (direct upload).

Without a build folder it says so in one line and exits 0 (nothing to measure; `make sam` builds one).

    python -m bench.package_size [--build .aws-sam/build] [--no-zip]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import zipfile
from collections import defaultdict
from pathlib import Path

from .corpora import ROOT

MB = 1024 * 1024
LAMBDA_UNZIPPED_LIMIT_MB = 250
LAMBDA_ZIPPED_LIMIT_MB = 50


def files_of(folder: Path) -> list[tuple[str, Path, int]]:
    """(relative path, path, size) of every regular file under `folder`, symbolic links not followed."""
    found = []
    for directory, subdirectories, names in os.walk(folder):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append((path.relative_to(folder).as_posix(), path, path.stat().st_size))
    return found


def tree_hash(files: list[tuple[str, Path, int]]) -> str:
    digest = hashlib.sha256()
    for relative, path, _size in files:
        digest.update(relative.encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


class _Counting:
    """A write-only file that only counts what is written (the zip is never kept)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


def zipped_size(files: list[tuple[str, Path, int]]) -> int:
    """Bytes of the artifact as a deflated zip (level 6, as `sam deploy`'s packaging writes it)."""
    sink = _Counting()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for relative, path, _size in files:
            archive.write(path, relative)
    return sink.size


def top_level(files: list[tuple[str, Path, int]]) -> list[tuple[str, int, int]]:
    """(top-level entry, bytes, files), largest first."""
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for relative, _path, size in files:
        entry = relative.split("/", 1)[0]
        sizes[entry][0] += size
        sizes[entry][1] += 1
    return sorted(((name, s[0], s[1]) for name, s in sizes.items()), key=lambda row: -row[1])


def email_languages(files: list[tuple[str, Path, int]]) -> list[str]:
    """The languages the artifact's email templates exist in (rsvp/templates/email/<language>/)."""
    languages = {relative.split("/")[3] for relative, _path, _size in files
                 if relative.startswith("rsvp/templates/email/") and relative.count("/") >= 4}
    return sorted(languages) or ["en", "es", "fr"]


def mb(size: int) -> str:
    return f"{size / MB:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--build", type=Path, default=ROOT / ".aws-sam" / "build")
    parser.add_argument("--zip", action=argparse.BooleanOptionalAction, default=True,
                        help="also deflate each distinct artifact as a zip, in memory, for its zipped size")
    args = parser.parse_args()

    build: Path = args.build
    functions = sorted(p for p in build.iterdir() if p.is_dir()) if build.is_dir() else []
    if not functions:
        print(f"package size: no SAM build at {build} (run `make sam` first); nothing measured")
        return

    trees = {f.name: files_of(f) for f in functions}
    hashes = {name: tree_hash(files) for name, files in trees.items()}
    distinct = sorted(set(hashes.values()), key=list(hashes.values()).index)
    zipped = {h: zipped_size(next(trees[n] for n in trees if hashes[n] == h)) for h in distinct} if args.zip else {}
    width = max(len(name) for name in trees)
    print(f"package size: SAM build {build} — {len(trees)} function artifacts")
    for name, files in trees.items():
        size = sum(s for _r, _p, s in files)
        number = distinct.index(hashes[name]) + 1
        packed = f", zipped {mb(zipped[hashes[name]])}" if args.zip else ""
        print(f"  {name:{width}s}  {mb(size):>9s}  ({len(files):,} files{packed})  artifact #{number} "
              f"[{hashes[name][:12]}]")
    total = sum(s for files in trees.values() for _r, _p, s in files)
    unique = sum(sum(s for _r, _p, s in trees[next(n for n in trees if hashes[n] == h)]) for h in distinct)
    same = " (all identical)" if len(distinct) == 1 and len(trees) > 1 else ""
    print(f"distinct artifacts: {len(distinct)}{same}; total {mb(total)} unzipped over {len(trees)} functions, "
          f"{mb(unique)} distinct" + (f", {mb(sum(zipped.values()))} zipped distinct" if args.zip else "")
          + f" (Lambda: {LAMBDA_UNZIPPED_LIMIT_MB} MB unzipped, {LAMBDA_ZIPPED_LIMIT_MB} MB zipped)")

    largest = max(trees, key=lambda n: sum(s for _r, _p, s in trees[n]))
    files = trees[largest]
    size = sum(s for _r, _p, s in files)
    print(f"largest top-level packages in {largest} ({mb(size)}):")
    prefix = "python/" if all(r.startswith("python/") for r, _p, _s in files) else ""  # a layer: python/…
    files = [(r[len(prefix):], p, s) for r, p, s in files]
    for entry, entry_size, count in top_level(files)[:10]:
        print(f"  {entry:44s} {mb(entry_size):>9s}  {entry_size / size:4.0%}  ({count:,} files)")

    data = [(r, s) for r, _p, s in files if r.startswith("babel/locale-data/") and r.endswith(".dat")]
    if not data:
        print("babel locale data: none in the artifact")
        return
    languages = email_languages(files)
    usable = [(r, s) for r, s in data
              if (stem := r.rsplit("/", 1)[1][:-4]) == "root" or stem.split("_")[0] in languages]
    print(f"babel locale data: {len(data)} .dat files, {mb(sum(s for _r, s in data))} "
          f"({sum(s for _r, s in data) / size:.0%} of the artifact); root + {', '.join(languages)} with every "
          f"region: {len(usable)} files, {mb(sum(s for _r, s in usable))}")


if __name__ == "__main__":
    main()
