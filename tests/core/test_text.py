"""Dates written by the pages' Python-drawn rows (procurement/core/text.py)."""

import datetime as dt

from procurement.core.text import day_words, month_words


def test_day_and_month_words_are_what_strftime_writes_in_english_for_every_day_of_a_leap_year():
    day = dt.date(2028, 1, 1)
    while day.year == 2028:
        assert day_words(day) == f"{day.day} {day:%b %Y}"
        assert day_words(day, weekday=True) == f"{day:%a} {day.day} {day:%b %Y}"
        assert month_words(day) == f"{day:%B %Y}"
        day += dt.timedelta(days=1)
