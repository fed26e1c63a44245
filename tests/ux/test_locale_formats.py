"""Dates follow each language's own order: never the US month/day pattern."""

import datetime

import pytest
from django.utils import formats, translation

DAY = datetime.datetime(2026, 11, 29, 14, 5)


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("fmt", ["DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"])
def test_day_comes_before_month(language, fmt):
    with translation.override(language):
        text = formats.date_format(DAY, fmt)
    assert "11/29" not in text and "11\u200f/29" not in text
    assert text.index("29") < text.index("2026")
    if "DATETIME" in fmt:
        assert "14:05" in text


def test_arabic_date_times_are_not_the_us_pattern():
    with translation.override("ar"):
        assert formats.date_format(datetime.datetime(2023, 1, 5, 10, 30), "DATETIME_FORMAT").startswith("5 يناير")
