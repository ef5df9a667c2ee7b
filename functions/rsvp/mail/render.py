"""Templates per language: NAME.subject.txt, NAME.txt and NAME.html under templates/email/LANG/.

Two Jinja environments: HTML autoescaped, text and subject not (they are never HTML).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Renderer:
    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.templates_dir = templates_dir

    @cached_property
    def _html(self) -> Environment:
        return Environment(loader=FileSystemLoader(str(self.templates_dir / "email")), undefined=StrictUndefined,
                           autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
                           trim_blocks=True, lstrip_blocks=True, auto_reload=False)

    @cached_property
    def _text(self) -> Environment:
        # Text parts and subjects are not HTML: escaping would show "&amp;" to the reader.
        return Environment(loader=FileSystemLoader(str(self.templates_dir / "email")), undefined=StrictUndefined,
                           autoescape=False,  # noqa: S701
                           trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False)

    def languages(self, name: str) -> list[str]:
        root = self.templates_dir / "email"
        return sorted(p.parent.name for p in root.glob(f"*/{name}.txt"))

    def render(self, name: str, language: str, context: dict[str, Any], html: bool = True) -> Rendered:
        language = self._language(name, language)
        subject = self._text.get_template(f"{language}/{name}.subject.txt").render(context)
        text = self._text.get_template(f"{language}/{name}.txt").render(context)
        body = self._html.get_template(f"{language}/{name}.html").render(context) if html else ""
        return Rendered(subject=" ".join(subject.split()), text=text.strip() + "\n", html=body)

    @lru_cache(maxsize=128)  # noqa: B019 - one Renderer per process; templates do not change under it
    def _language(self, name: str, language: str) -> str:
        return language if (self.templates_dir / "email" / language / f"{name}.txt").exists() else "en"

    def render_multilingual(self, name: str, contexts: dict[str, dict[str, Any]]) -> Rendered:
        """One message in several languages (the invitee's first), e.g. the bilingual EN/ES invitation."""
        languages = list(contexts)
        if len(languages) == 1:
            return self.render(name, languages[0], contexts[languages[0]])
        parts = [self.render(name, language, contexts[language], html=False) for language in languages]
        subject = " / ".join(dict.fromkeys(p.subject for p in parts))
        rule = "\n" + "—" * 40 + "\n\n"
        text = rule.join(p.text for p in parts)
        # Each body was rendered by the autoescaping environment just above: it is escaped HTML already.
        bodies = [(language, Markup(self._html.get_template(f"{language}/{name}.body.html").render(  # noqa: S704
            contexts[language]))) for language in languages]
        first = contexts[languages[0]]
        html = self._html.get_template("_multilingual.html").render(
            bodies=bodies, language=languages[0], meeting_title=first["meeting_title"],
            header_line=" / ".join(dict.fromkeys(contexts[lang]["header_line"] for lang in languages)),
            footer_line=first["footer_line"])
        return Rendered(subject=subject, text=text, html=html)
