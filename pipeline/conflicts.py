"""Rules that tell when two aligned claims disagree (no NLI model is usable offline).

Each rule returns a conflict type or nothing: ``number`` (both sides give numbers of
the same kind and they differ), ``negation`` (one side denies what the other states),
``frequency`` (often/many vs rarely/few/some), ``exclusive`` (one way only vs a list
of ways) and ``different_lists`` (two enumerations that share almost no item).
Spinner noise ("7 days" for "week", "1 motive" for "One reason") is normalised away
before any rule runs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.embed import content_terms

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "twice": "2", "once": "1",
    "half": "50%", "quarter": "25%",
}  # fmt: skip
# Spinners swap a period word for its length in days; read both as the period word.
_PERIODS = [
    (re.compile(r"\b(7|seven) days?\b", re.I), "week"),
    (re.compile(r"\b(30|thirty) days?\b", re.I), "month"),
    (re.compile(r"\b(24|twenty-four) hours?\b", re.I), "day"),
    (re.compile(r"\b(12|twelve) months?\b", re.I), "year"),
    (re.compile(r"\bdaily\b", re.I), "every day"),
    (re.compile(r"\bweekly\b", re.I), "every week"),
    (re.compile(r"\bmonthly\b", re.I), "every month"),
]
HIGH_WORDS = {
    "always", "usually", "often", "commonly", "frequently", "widely", "generally",
    "most", "many", "all", "majority", "wide",
}  # fmt: skip
LOW_WORDS = {
    "rarely", "seldom", "never", "occasionally", "sometimes", "few", "some", "uncommon",
    "minority", "certain",
}  # fmt: skip
_NEGATION = re.compile(r"\b(not|no|never|cannot|nor|none)\b|n['’]t\b", re.I)
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)\s*(%|percent\b|per cent\b)?\s*([a-z]+)?", re.I)
_EXCLUSIVE = re.compile(
    r"\b(?:is|are)\s+(?:only\s+)?(?:performed|given|administered|delivered|done|taken)\s+"
    r"(?:only\s+)?(?:as|by|through|via|with)\s+(?:an?\s+)?([\w-]+)\s*[.;]?$",
    re.I,
)
_TRIGGER = re.compile(r"\b(?:such as|including|include|includes|like|via|namely)\b|:", re.I)
MAX_ITEM_TERMS = 5  # a longer comma-separated part is a clause, not a list item
_SPLIT = re.compile(r",|;|\bor\b|\band\b", re.I)


# Rules run on every aligned pair; a sentence's features are computed once per text.
_CACHE = 1 << 16


@lru_cache(maxsize=_CACHE)
def normalise_spinner_noise(text: str) -> str:
    """Number words as digits and period lengths as period words."""
    out = text
    for pattern, word in _PERIODS:
        out = pattern.sub(word, out)
    words = re.split(r"(\W+)", out)
    return "".join(NUMBER_WORDS.get(w.lower(), w) for w in words)


@lru_cache(maxsize=_CACHE)
def numbers(text: str) -> frozenset[tuple[str, str]]:
    """(value, unit) pairs: unit is ``%`` or the word after the number."""
    found = set()
    for value, percent, unit in _NUMBER.findall(normalise_spinner_noise(text)):
        found.add((value.replace(",", ""), "%" if percent else (unit or "").lower()))
    return frozenset(found)


def _number_conflict(a: str, b: str) -> bool:
    na, nb = numbers(a), numbers(b)
    if not na or not nb:
        return False  # a number on one side only adds detail, it does not contradict
    for unit in {u for _, u in na} & {u for _, u in nb}:
        va = {v for v, u in na if u == unit}
        vb = {v for v, u in nb if u == unit}
        if va.isdisjoint(vb):
            return True
    return False


def _negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


@lru_cache(maxsize=_CACHE)
def frequency_polarity(text: str) -> int:
    """+1 for often/many wording, -1 for rarely/few/some wording (negation flips), 0."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    high, low = bool(words & HIGH_WORDS), bool(words & LOW_WORDS)
    if high == low:
        return 0
    polarity = 1 if high else -1
    return -polarity if _negated(text) else polarity


@lru_cache(maxsize=_CACHE)
def list_items(text: str) -> tuple[frozenset[str], ...]:
    """The items of an enumeration in ``text`` (content-word sets), or [] if none."""
    text = normalise_spinner_noise(text)
    parts = _TRIGGER.split(text, maxsplit=1)
    if len(parts) > 1:
        tail, needed = parts[-1], 2
    else:
        tail, needed = text, 3  # no "such as"/"include": only a run of 3+ reads as a list
    items = [frozenset(content_terms(p)) for p in _SPLIT.split(tail)]
    items = [i for i in items if i]
    if len(items) < needed or any(len(i) > MAX_ITEM_TERMS for i in items[1:]):
        return ()
    return tuple(items)


def _lists_differ(
    a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...], share: float
) -> bool:
    if len(a) < 2 or len(b) < 2:
        return False
    matched = sum(1 for item in a if any(item & other for other in b))
    return matched / min(len(a), len(b)) < share


def find_conflict(a: str, b: str, list_share: float = 0.34) -> str | None:
    """The type of disagreement between two aligned claims, or None when they agree."""
    if _number_conflict(a, b):
        return "number"
    for one, other in ((a, b), (b, a)):
        if _EXCLUSIVE.search(one.strip()) and len(list_items(other)) >= 2:
            return "exclusive"
    pa, pb = frequency_polarity(a), frequency_polarity(b)
    if pa and pb and pa != pb:
        return "frequency"
    if _negated(a) != _negated(b) and (pa == pb == 0):
        shared = set(content_terms(a)) & set(content_terms(b))
        if len(shared) >= 3:
            return "negation"
    if _lists_differ(list_items(a), list_items(b), list_share):
        return "different_lists"
    return None
