"""A language's examples, read from its own data files: each category must find its examples and not its
counter-examples (`not:`). Each tests/lang/<xx>/ runs these for its language."""
from __future__ import annotations

import pytest

from rsvp.reading.lexicon import Example, area, matcher, schema
from rsvp.reading.matching import fold


def examples(language: str) -> list[object]:
    cases = []
    for area_name in schema():
        for name, category in area(area_name).items():
            for example in category.examples:
                if example.language == language:
                    cases.append(pytest.param(area_name, name, example, id=f"{area_name}.{name}: {example.text[:40]}"))
    return cases


def check(area_name: str, category: str, example: Example) -> None:
    read_as = schema()[area_name][category].get("text", "folded")
    text = {"lowered": example.text.lower(), "original": example.text}.get(read_as) or fold(example.text)
    found = matcher(area_name, category)(text)
    assert found is example.found, (f"{example.where}: {area_name}.{category} should "
                                    f"{'' if example.found else 'not '}find {example.text!r}")


