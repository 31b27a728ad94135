"""Dates and numbers as people of the locale write them (Babel's CLDR data)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal


def format_date(value: dt.date | None, lang: str = "en", style: str = "long") -> str:
    """``June 30, 2026``, ``30 de junio de 2026``, ``30 tháng 6, 2026``."""
    if value is None:
        return ""
    return _babel_date(value, format=style, locale=lang)


def format_number(value: float, lang: str = "en") -> str:
    """``2.5`` / ``2,5``; ``1,024`` / ``1.024``."""
    return format_decimal(value, locale=lang)
