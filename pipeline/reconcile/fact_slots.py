"""What a claim sentence pins down beyond its topic: the slots two wordings must share.

Two sentences on one subject state the same fact only when they agree on the details
that matter. This module reads those details from one sentence (:func:`read_slots`)
and compares two sentences' slots (:func:`compare_slots`):

- quantities with units, converted to base units with pint (5.5 mmol/L of glucose =
  99 mg/dL, 38 °C = 100.4 °F, 5 kg = 11 lb), ranges ("4 to 6 hours") and readings
  ("140/90"); a value inside the other side's range agrees with it;
- frequencies as a rate per day ("twice a day", "every 4 hours", "weekly");
- polarity of the main clause: negations and stop-words of action ("stop", "avoid",
  "cut out") counted together, so "do not stop X" agrees with "keep taking X"; clauses
  after "when", "if", "even" and the like do not count ("... when you have no symptoms");
- the population a sentence is about (children, adults, pregnancy, an age limit);
- the condition of a measurement or an instruction (fasting / after meals, home /
  clinic, at rest / after exercise);
- modal strength (must vs may).

``compare_slots`` says ``same`` (no slot differs), ``conflict`` (same population and
condition, incompatible value or polarity) or ``different`` (another population,
condition or strength: two claims, never a conflict).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.reconcile.amounts import (
    TEMPERATURE_TOLERANCE,
    TOLERANCE,
    Amount,
    read_amounts,
    read_rates,
)

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

_AND_A_HALF = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"\s+and\s+a\s+half\b",
    re.I,
)


@lru_cache(maxsize=1 << 16)
def normalise_spinner_noise(text: str) -> str:
    """Number words as digits and period lengths as period words."""
    out = _AND_A_HALF.sub(lambda m: f"{NUMBER_WORDS.get(m.group(1).lower(), m.group(1))}.5", text)
    for pattern, word in _PERIODS:
        out = pattern.sub(word, out)
    words = re.split(r"(\W+)", out)
    return "".join(NUMBER_WORDS.get(w.lower(), w) for w in words)


# Quantifier phrases that read like negations but bound an amount.
_BOUNDS = re.compile(
    r"(?:\b(?:no|not|never)|n['’]t)(?:\s+\w+){0,3}?\s+(?:more|less|fewer|longer|later|sooner|"
    r"earlier|over|above|beyond|greater|higher|lower)\s+(?:than\s+)?(?=\d|a\b|an\b|one\b|the\b)"
    r"|\bnot\s+(?:to\s+)?exceed(?:ing)?\b|\bnot\s+only\b|\bno\s+matter\b|\bnot\s+all\b",
    re.I,
)
_NEGATIONS = re.compile(r"\b(?:not|no|never|cannot|nor|none|without)\b|n['’]t\b", re.I)
# Verbs that turn an instruction around: "stop taking X" = "do not keep taking X".
_REVERSERS = re.compile(
    r"\b(?:stop|stopping|stops|stopped|avoid|avoiding|avoids|avoided|quit|quitting|skip|"
    r"skipping|cut\s+out|cutting\s+out|refrain|discontinue|discontinuing|discontinued|"
    r"unsafe|unsuitable|dangerous|harmful)\b",
    re.I,
)
# The main clause ends where a condition or concession starts.
_SUBORDINATE = re.compile(
    r"\b(?:when|whenever|if|unless|until|even|although|though|because|while|once|"
    r"which|who|that (?:will|would|does|do|did|is|are|has|have|can)|check|make sure|ensure)\b"
    r"|,\s*(?:so|and|but)\b|;",
    re.I,
)
_POPULATIONS = {
    "child": r"child|children|kids?|toddlers?|youngsters?|paediatric|pediatric",
    "baby": r"bab(?:y|ies)|infants?|newborns?",
    "teen": r"teenagers?|teens?|adolescents?|young people",
    "adult": r"adults?|grown-ups?",
    "older": r"older (?:adults|people|patients)|elderly|seniors?|over-65s",
    "pregnancy": r"pregnan(?:t|cy)|expecting a baby|breastfeeding|breast-feeding",
}
_POPULATION = {
    name: re.compile(rf"\b(?:{pattern})\b", re.I) for name, pattern in _POPULATIONS.items()
}
_AGE = re.compile(
    r"\b(?:(under|below|younger than|over|above|older than)\s+(?:the\s+)?(?:age\s+of\s+)?"
    r"(\d{1,3})|(?:aged\s+)?(\d{1,3})\s*(?:years?\s+)?(?:and|or)\s+(over|older|above|under|"
    r"younger|below)|aged\s+(\d{1,3}))"
    r"(?!\s*(?:%|[a-z]*[/°º]|(?:mg|g|kg|ml|mmhg|mmol|hours?|minutes?|days?|weeks?|doses?)\b))"
    r"(?:\s*(?:years?|yrs?)(?:\s+old)?|s)?\b",
    re.I,
)
# An age limit reads as one only beside people ("children under 16", "anyone over 65").
_PEOPLE = re.compile(
    r"\b(?:anyone|people|person|those|patients?|men|women|aged|age|years? old|you are|you['’]re)\b",
    re.I,
)
_YOUNGER = {"under", "below", "younger than", "younger"}
# Contrasting conditions: a sentence naming one side is not about the other side.
_CONDITIONS = {
    "meal": {
        "fasting": r"fasting|before (?:meals|eating|food|breakfast)|empty stomach",
        "fed": r"after (?:meals|a meal|eating|food)|with (?:food|a meal|meals|milk)|full stomach",
    },
    "place": {
        "home": r"at home|home (?:readings?|monitor(?:ing)?|measurements?)",
        "clinic": r"clinic|surgery|doctor['’]s office|in hospital|by (?:a|your) (?:doctor|nurse)",
    },
    "activity": {
        "rest": r"at rest|resting|lying down|sitting",
        "exertion": r"after exercise|during exercise|exercising|exertion",
    },
    "daytime": {"morning": r"morning", "evening": r"evening|night|bedtime"},
}
_CONDITION = {
    (group, side): re.compile(rf"\b(?:{pattern})\b", re.I)
    for group, sides in _CONDITIONS.items()
    for side, pattern in sides.items()
}
_STRONG = re.compile(r"\b(?:must|have to|has to|need to|needs to|should|always|required)\b", re.I)
_WEAK = re.compile(r"\b(?:may|might|could|can|sometimes|possibly|perhaps)\b", re.I)


# Dates a statement is tied to ("as of July 31, 2025", "in 2019"): two sentences with
# different dates report two moments, not one fact in conflict.
_DATE = re.compile(
    r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+)?"
    r"(?:19|20)\d{2}\b",
    re.I,
)


# An instruction starts with a verb or speaks to the reader ("Do not ...", "You can ...");
# a statement says what something is or does ("Ibuprofen can upset your stomach").
_INSTRUCTION = re.compile(
    r"^(?:please\s+)?(?:do|don['’]t|never|always|avoid|keep|stop|take|give|use|try|aim|eat|"
    r"drink|limit|cut|check|call|ask|see|get|make|leave|wait|tell|talk|speak|contact|"
    r"go|rest|sit|measure|record|follow|choose|reduce|increase|you|your)\b",
    re.I,
)


@dataclass(frozen=True)
class Slots:
    """The details of one sentence that another wording of its fact must share."""

    amounts: tuple[Amount, ...]
    rates: tuple[tuple[float, float], ...]
    polarity: int
    populations: frozenset[str]
    ages: frozenset[tuple[str, int]]
    conditions: frozenset[tuple[str, str]]
    modal: int
    instruction: bool = False
    dates: frozenset[str] = frozenset()


_GERUND_SUBJECT = re.compile(r"^\s*(?:stopping|quitting|avoiding|cutting out|skipping)\b", re.I)
_FRACTIONS = [
    (
        re.compile(r"\b(\d+)\s+(?:in|out of)\s+(\d+)\b", re.I),
        lambda m: f"{100 * int(m.group(1)) / max(int(m.group(2)), 1):.1f}%",
    ),
    (re.compile(r"\b(?:a|one)\s+third\b", re.I), lambda m: "33.3%"),
    (re.compile(r"\btwo\s+thirds\b", re.I), lambda m: "66.7%"),
]


def _polarity(text: str) -> int:
    main = _SUBORDINATE.split(text, maxsplit=1)[0]
    main = _GERUND_SUBJECT.sub(" ", main)  # "Stopping smoking lowers ..." states, not denies
    main = _BOUNDS.sub(" ", main)
    flips = len(_NEGATIONS.findall(main)) + len(_REVERSERS.findall(main))
    return -1 if flips % 2 else 1


def _ages(text: str) -> frozenset[tuple[str, int]]:
    found = set()
    for m in _AGE.finditer(text):
        if m.group(2):
            side = "<" if m.group(1).lower() in _YOUNGER else ">"
            found.add((side, int(m.group(2))))
        elif m.group(4):
            side = "<" if m.group(4).lower() in _YOUNGER else ">"
            found.add((side, int(m.group(3))))
        elif m.group(5):
            found.add(("=", int(m.group(5))))
    return frozenset(found)


@lru_cache(maxsize=1 << 16)
def read_slots(text: str) -> Slots:
    """The slots of one sentence (see the module docstring)."""
    text = " ".join(text.split())
    dates = frozenset(" ".join(d.lower().replace(",", "").split()) for d in _DATE.findall(text))
    text = normalise_spinner_noise(_DATE.sub(" ", text))
    for pattern, share in _FRACTIONS:
        text = pattern.sub(share, text)
    rates, rest = read_rates(text)
    people = any(p.search(text) for p in _POPULATION.values()) or _PEOPLE.search(text)
    ages = _ages(rest) if people else frozenset()
    amounts = read_amounts(_AGE.sub(" ", rest)) if ages else read_amounts(rest)
    strong, weak = bool(_STRONG.search(text)), bool(_WEAK.search(text))
    return Slots(
        amounts=tuple(amounts),
        rates=tuple(rates),
        polarity=_polarity(text),
        populations=frozenset(n for n, p in _POPULATION.items() if p.search(text)),
        ages=ages,
        conditions=frozenset(key for key, p in _CONDITION.items() if p.search(text)),
        modal=1 if strong and not weak else (-1 if weak and not strong else 0),
        instruction=bool(_INSTRUCTION.match(text.strip())),
        dates=dates,
    )


def _slack(a: float, b: float, dimension: str) -> float:
    if dimension == "temperature":
        return TEMPERATURE_TOLERANCE
    return TOLERANCE * max(abs(a), abs(b), 1e-9)


def _overlap(a: tuple[float, float], b: tuple[float, float], dimension: str = "") -> bool:
    """Two values or ranges agree: equal within the tolerance, or one inside the other."""
    (a_lo, a_hi), (b_lo, b_hi) = a, b
    slack = _slack(a_hi, b_hi, dimension)
    if abs(a_lo - b_lo) <= slack and abs(a_hi - b_hi) <= slack:
        return True
    return a_lo - slack <= b_hi and b_lo - slack <= a_hi and (a_lo != a_hi or b_lo != b_hi)


def _values_differ(
    a: list[tuple[float, float]], b: list[tuple[float, float]], dimension: str = ""
) -> bool:
    """Both sides give values and none of one side agrees with any of the other."""
    return bool(a) and bool(b) and not any(_overlap(x, y, dimension) for x in a for y in b)


def differing_slot(a: Slots, b: Slots) -> str | None:
    """The first slot two sentences disagree on, or None: ``population``, ``condition``,
    ``quantity`` (amounts of different things), ``strength`` (two claims) or ``number``,
    ``frequency``, ``negation`` (values)."""
    if a.dates and b.dates and a.dates != b.dates:
        return "date"
    if a.populations and b.populations and a.populations.isdisjoint(b.populations):
        return "population"
    if a.ages and b.ages and a.ages.isdisjoint(b.ages):
        return "population"
    groups = {g for g, _ in a.conditions} & {g for g, _ in b.conditions}
    for group in sorted(groups):
        sides_a = {s for g, s in a.conditions if g == group}
        sides_b = {s for g, s in b.conditions if g == group}
        if sides_a != sides_b:
            return "condition"
    dims_a = {x.dimension for x in a.amounts} - {"[time]"}
    dims_b = {x.dimension for x in b.amounts} - {"[time]"}
    if dims_a and dims_b and dims_a.isdisjoint(dims_b):
        return "quantity"  # they measure different things: 4 doses vs 4 g
    dimensions = {x.dimension for x in a.amounts} & {x.dimension for x in b.amounts}
    for dimension in sorted(dimensions):
        va = [(x.low, x.high) for x in a.amounts if x.dimension == dimension]
        vb = [(x.low, x.high) for x in b.amounts if x.dimension == dimension]
        if _values_differ(va, vb, dimension):
            return "number"
    if _values_differ(list(a.rates), list(b.rates)):
        return "frequency"
    if a.polarity != b.polarity:
        # "do not take X on an empty stomach" does not deny "X can upset your stomach"
        return "negation" if a.instruction == b.instruction else "mood"
    if a.modal * b.modal < 0:
        return "strength"
    return None


# Slot differences that make two wordings two claims, not one claim in conflict.
DIFFERENT_FACTS = frozenset({"date", "population", "condition", "strength", "quantity", "mood"})


def with_context(slots: Slots, context: str) -> Slots:
    """``slots`` with the population of ``context`` (the sentence's section heading and
    page title: "Fever in children") when the sentence names none itself."""
    if slots.populations or slots.ages or not context:
        return slots
    around = read_slots(context)
    return dataclasses.replace(slots, populations=around.populations, ages=around.ages)


def compare_slots(
    a: str, b: str, context_a: str = "", context_b: str = ""
) -> tuple[str, str | None]:
    """(``same`` | ``conflict`` | ``different``, the slot that differs) for two sentences,
    each read with its ``context`` (see :func:`with_context`)."""
    slot = differing_slot(
        with_context(read_slots(a), context_a), with_context(read_slots(b), context_b)
    )
    if slot is None:
        return "same", None
    return ("different" if slot in DIFFERENT_FACTS else "conflict"), slot
