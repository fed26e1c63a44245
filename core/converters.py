"""Path converters for numbers in web addresses: a year in the models' range, an id that fits its column.

``/bilan/99999999999999999999/start/`` or ``/reports/1e99/`` is a 404, never a database error.
"""

from core.filters import YEAR_MAX, YEAR_MIN


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        year = int(value)
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise ValueError(value)  # no match: 404
        return year

    def to_url(self, value):
        return str(value)


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
