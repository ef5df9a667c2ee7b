"""Errors a person can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an organiser's file: where it is and what to do about it."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


class InvalidFile(ValueError):
    """An organiser's file was rejected; nothing from it was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        summary = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s):\n{summary}")
