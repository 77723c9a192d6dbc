"""Amounts and rates in a claim sentence, in base units, for comparing two wordings.

Quantities with units are converted with pint (5.5 mmol/L of glucose = 99 mg/dL,
38 °C = 100.4 °F, 5 kg = 11 lb); ranges ("4 to 6 hours", "between 4 and 6 g") keep
both ends; blood-pressure readings ("140/90") count as one amount; numbers without a
unit count what the next word names ("4 doses"). Frequencies become rates per day
("twice a day", "every 4 to 6 hours", "weekly").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Relative tolerance of two amounts that are "the same" (rounding in conversions:
# 5.5 mmol/L of glucose is 99.1 mg/dL, written as 100).
TOLERANCE = 0.03
# Temperatures (in °C) agree within this many degrees (100 °F is 37.8 °C, 100.4 °F is 38).
TEMPERATURE_TOLERANCE = 0.3

# unit spellings -> pint unit names
_UNITS = {
    "mg": "milligram", "milligram": "milligram", "milligrams": "milligram",
    "g": "gram", "gram": "gram", "grams": "gram", "kg": "kilogram", "kilo": "kilogram",
    "kilos": "kilogram", "kilogram": "kilogram", "kilograms": "kilogram",
    "mcg": "microgram", "µg": "microgram", "microgram": "microgram", "micrograms": "microgram",
    "lb": "pound", "lbs": "pound", "pound": "pound", "pounds": "pound",
    "oz": "ounce", "ounce": "ounce", "ounces": "ounce", "st": "stone", "stone": "stone",
    "ml": "milliliter", "millilitre": "milliliter", "millilitres": "milliliter",
    "milliliter": "milliliter", "milliliters": "milliliter", "l": "liter", "litre": "liter",
    "litres": "liter", "liter": "liter", "liters": "liter", "pint": "pint", "pints": "pint",
    "cm": "centimeter", "centimetres": "centimeter", "centimeters": "centimeter",
    "m": "meter", "metres": "meter", "meters": "meter", "inch": "inch", "inches": "inch",
    "km": "kilometer", "miles": "mile", "mile": "mile", "feet": "foot", "ft": "foot",
    "c": "degC", "°c": "degC", "ºc": "degC", "celsius": "degC", "centigrade": "degC",
    "f": "degF", "°f": "degF", "ºf": "degF", "fahrenheit": "degF",
    "second": "second", "seconds": "second", "minute": "minute", "minutes": "minute",
    "mins": "minute", "min": "minute", "hour": "hour", "hours": "hour", "hrs": "hour",
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month", "year": "year", "years": "year",
    "mmhg": "mmHg", "mmol/l": "mmol/L", "mg/dl": "mg/dL", "kcal": "kilocalorie",
    "calories": "kilocalorie", "%": "percent", "percent": "percent",
}  # fmt: skip
# Molar masses (g/mol) of blood measurements reported in both mmol/L and mg/dL.
_ANALYTES = {
    "glucose": 180.16, "sugar": 180.16, "cholesterol": 386.65, "ldl": 386.65, "hdl": 386.65,
    "triglyceride": 885.7, "triglycerides": 885.7,
}  # fmt: skip
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\w/.])({_NUM})(?:\s*(?:-|–|to|and)\s*({_NUM}))?\s*({_UNIT_RE})?(?![\w/])", re.I
)
_READING = re.compile(r"(?<![\w/.])(\d{2,3})\s*/\s*(\d{2,3})(?![\w/])")
_BETWEEN = re.compile(rf"\bbetween\s+({_NUM})\s*(?:[a-z%°/]+\s+)?and\s+", re.I)

_PERIOD_DAYS = {"hour": 1 / 24, "day": 1.0, "night": 1.0, "week": 7.0, "month": 30.0,
                "year": 365.0}  # fmt: skip
_TIMES = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
_RATE = re.compile(
    r"\b(once|twice|thrice|(\d+(?:\.\d+)?)\s*(?:(?:-|to)\s*\d+\s*)?(?:times?)?)\s+(?:a|an|per|each|every)\s+"
    r"(hour|day|night|week|month|year)\b"
    r"|\bevery\s+(?:(other)\s+|(\d+(?:\.\d+)?)\s*(?:(?:-|to)\s*(\d+(?:\.\d+)?)\s*)?)?"
    r"(hour|day|night|week|month|year)s?\b"
    r"|\b(hourly|daily|nightly|weekly|monthly|yearly|annually)\b",
    re.I,
)
_ADVERB_PERIOD = {"hourly": "hour", "daily": "day", "nightly": "night", "weekly": "week",
                  "monthly": "month", "yearly": "year", "annually": "year"}  # fmt: skip


@dataclass(frozen=True)
class Amount:
    """An amount in base units (``dimension`` names them), a range when low < high."""

    dimension: str
    low: float
    high: float


@lru_cache(maxsize=1)
def _registry():  # pint parses its unit table once (~0.3 s; ~0.05 s from its disk cache)
    import pint

    try:
        return pint.UnitRegistry(cache_folder=":auto:")
    except (OSError, ValueError):  # no writable cache folder: parse the table each run
        return pint.UnitRegistry()


@lru_cache(maxsize=256)
def _to_base(unit: str, analyte: str) -> tuple[str, float, float] | None:
    """(dimension, factor, offset) turning an amount in ``unit`` into base units."""
    name = _UNITS.get(unit.lower())
    if name is None:
        return None
    if name == "mg/dL":
        return "mass/volume", 1.0, 0.0
    registry = _registry()
    if name == "mmol/L" and analyte:
        quantity = registry.Quantity(1.0, "mmol/L") * registry.Quantity(_ANALYTES[analyte], "g/mol")
        return "mass/volume", float(quantity.to("mg/dL").magnitude), 0.0
    if name in ("degC", "degF"):
        zero = registry.Quantity(0.0, name).to("degC").magnitude
        one = registry.Quantity(1.0, name).to("degC").magnitude
        return "temperature", float(one - zero), float(zero)
    quantity = registry.Quantity(1.0, name).to_base_units()
    return str(quantity.dimensionality), float(quantity.magnitude), 0.0


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _analyte(text: str) -> str:
    words = set(re.findall(r"[a-z]+", text.lower()))
    found = sorted(words & set(_ANALYTES))
    return found[0] if found else ""


def read_rates(text: str) -> tuple[list[tuple[float, float]], str]:
    """Rates per day, and ``text`` with them blanked out (their numbers are no amounts)."""
    found = []
    for m in _RATE.finditer(text):
        if m.group(1):
            count = _TIMES.get(m.group(1).lower().split()[0])
            count = count if count is not None else float(m.group(2))
            days = _PERIOD_DAYS[m.group(3).lower()]
            found.append((count / days, count / days))
        elif m.group(7):
            days = _PERIOD_DAYS[m.group(7).lower()]
            if m.group(4):
                days *= 2
            low = float(m.group(5)) if m.group(5) else 1.0
            high = float(m.group(6)) if m.group(6) else low
            found.append((1 / (high * days), 1 / (low * days)))
        else:
            days = _PERIOD_DAYS[_ADVERB_PERIOD[m.group(8).lower()]]
            found.append((1 / days, 1 / days))
    return found, _RATE.sub(" ", text)


def read_amounts(text: str) -> list[Amount]:
    analyte = _analyte(text)
    found: list[Amount] = []
    for m in _READING.finditer(text):  # a blood pressure reading: both numbers count
        value = float(m.group(1)) * 1000 + float(m.group(2))
        found.append(Amount("reading", value, value))
    text = _READING.sub(" ", text)
    text = _BETWEEN.sub(lambda m: f"{m.group(1)} to ", text)
    pending: list[tuple[float, float]] = []  # numbers waiting for a unit ("4 or 5 g")
    for m in _QUANTITY.finditer(text):
        low = _number(m.group(1))
        high = _number(m.group(2)) if m.group(2) else low
        unit = m.group(3) or ""
        base = _to_base(unit, analyte) if unit else None
        if base is None:
            pending.append((low, high))
            continue
        dimension, factor, offset = base
        for lo, hi in [*pending, (low, high)]:
            a, b = sorted((lo * factor + offset, hi * factor + offset))
            found.append(Amount(dimension, a, b))
        pending = []
    for lo, hi, noun in pending_nouns(text, pending):
        found.append(Amount(f"count:{noun}", lo, hi or lo))
    return found


_COUNT_NOUN = re.compile(rf"({_NUM})(?:\s*(?:-|–|to|or)\s*{_NUM})?\s+([a-z]+)", re.I)
# Count nouns that name the same thing ("4 times in 24 hours" = "4 doses in 24 hours").
_SAME_COUNT = {"time": "dose", "tablet": "dose", "pill": "dose", "capsule": "dose"}


def pending_nouns(text: str, pending: list[tuple[float, float]]) -> list[tuple[float, float, str]]:
    """Unit-less numbers with what they count: the word after them, singular."""
    nouns: dict[float, str] = {}
    for m in _COUNT_NOUN.finditer(text):
        word = m.group(2).lower()
        word = word[:-1] if word.endswith("s") and len(word) > 3 else word
        nouns.setdefault(_number(m.group(1)), _SAME_COUNT.get(word, word))
    return [(lo, hi, nouns.get(lo, "")) for lo, hi in pending]
