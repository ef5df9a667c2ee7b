"""Trim the dependencies layer to what the functions run: no test folders, no scripts, and Babel's locale data
only for the languages the desk writes mail in (a templates/email/LANG/words.yaml each) and their parents.

    python prune_dependencies.py LAYER/python TEMPLATES/email
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def prune(site: Path, templates: Path) -> tuple[int, int]:
    before = _size(site)
    for folder in [*site.glob("*/tests"), *site.glob("*/test"), site / "bin"]:
        shutil.rmtree(folder, ignore_errors=True)
    for cache in list(site.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    languages = sorted(p.parent.name for p in templates.glob("*/words.yaml"))
    if not languages:
        raise SystemExit(f"{templates}: no language found (templates/email/LANG/words.yaml)")
    for data in (site / "babel" / "locale-data").glob("*.dat"):
        locale = data.stem
        if locale != "root" and locale.split("_", 1)[0] not in languages:
            data.unlink()
    return before, _size(site)


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


if __name__ == "__main__":
    before, after = prune(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"dependencies layer: {before / 2**20:.1f} MB -> {after / 2**20:.1f} MB")
