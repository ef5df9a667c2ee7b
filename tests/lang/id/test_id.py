"""The 'id' language data, read through its own examples (functions/rsvp/reading/lexicon/id/)."""
from __future__ import annotations

import pytest

from rsvp.reading.lexicon import Example
from tests.lang.examples import check, examples


@pytest.mark.parametrize(("area_name", "category", "example"), examples("id"))
def test_each_category_finds_its_examples_and_not_its_counter_examples(
        area_name: str, category: str, example: Example) -> None:
    check(area_name, category, example)
