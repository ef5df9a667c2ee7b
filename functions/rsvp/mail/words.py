"""The words the desk writes besides its templates (salutations, status lines, the calendar note), read from
templates/email/LANG/words.yaml: a language is data, and adding one adds a file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .render import TEMPLATES_DIR


@dataclass(frozen=True)
class Greeting:
    say: str
    starts: tuple[str, ...] = ()
    exactly: tuple[str, ...] = ()
    any_honorific: bool = False

    def applies(self, honorific: str) -> bool:
        if self.starts:
            return honorific.startswith(self.starts)
        if self.exactly:
            return honorific in self.exactly
        return bool(honorific) if self.any_honorific else True


@dataclass(frozen=True)
class Words:
    language: str
    calendar_note: str
    status: dict[str, str]
    greetings: tuple[Greeting, ...]

    def greeting(self, honorific: str, addressed_as: str) -> str:
        """The salutation for an invitee with this honorific ("Excma. Sra." -> "Estimada …")."""
        key = honorific.lower().replace(".", "").strip()
        rule = next((g for g in self.greetings if g.applies(key)), None)
        return rule.say.format(name=addressed_as) if rule else addressed_as


@lru_cache(maxsize=16)
def words(language: str, templates_dir: Path = TEMPLATES_DIR) -> Words:
    path = templates_dir / "email" / language / "words.yaml"
    if not path.exists():
        path = templates_dir / "email" / "en" / "words.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    greetings = tuple(Greeting(say=str(g["say"]), starts=tuple(g.get("starts", ())), exactly=tuple(g.get("is", ())),
                               any_honorific=bool(g.get("any", False))) for g in data["greetings"])
    return Words(language=path.parent.name, calendar_note=str(data["calendar_note"]),
                 status={str(k): str(v) for k, v in data["status"].items()}, greetings=greetings)
