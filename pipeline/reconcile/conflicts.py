"""When two wordings of one subject disagree: the conflict types and their rules.

No NLI model is usable offline, so conflicts are read from what each sentence pins down
(pipeline.reconcile.fact_slots): ``number`` (amounts that differ after unit conversion, neither
inside the other's range), ``frequency`` (rates per day), ``negation`` (the main
clauses' polarity differs: "do not stop X" agrees with "keep taking X"), and
``exclusive`` (one way only vs a list of ways). Complementary lists, general vs specific
wording, other populations and other conditions are never conflicts; the last two make
two claims (``different``). Spinner noise ("7 days" for "week", "1 motive" for "One
reason") is normalised before any rule runs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.reconcile.fact_slots import compare_slots
from pipeline.text.words import content_terms

_EXCLUSIVE = re.compile(
    r"\b(?:is|are)\s+(?:only\s+)?(?:performed|given|administered|delivered|done|taken)\s+"
    r"(?:only\s+)?(?:as|by|through|via|with)\s+(?:an?\s+)?([\w-]+)\s*[.;]?$",
    re.I,
)
_TRIGGER = re.compile(r"\b(?:such as|including|include|includes|like|via|namely)\b|:", re.I)
MAX_ITEM_TERMS = 5  # a longer comma-separated part is a clause, not a list item
MIN_LIST_ITEMS = 2  # after "such as" / "include:" two items already make a list of ways
MIN_BARE_LIST_ITEMS = 3  # without such a trigger only a run of 3+ reads as a list
_SPLIT = re.compile(r",|;|\bor\b|\band\b", re.I)


@lru_cache(maxsize=1 << 16)
def list_items(text: str) -> tuple[frozenset[str], ...]:
    """The items of an enumeration in ``text`` (content-word sets), or () if none."""
    parts = _TRIGGER.split(text, maxsplit=1)
    if len(parts) > 1:
        tail, needed = parts[-1], MIN_LIST_ITEMS
    else:
        tail, needed = text, MIN_BARE_LIST_ITEMS
    items = [frozenset(content_terms(p)) for p in _SPLIT.split(tail)]
    items = [i for i in items if i]
    if len(items) < needed or any(len(i) > MAX_ITEM_TERMS for i in items[1:]):
        return ()
    return tuple(items)


# Words that carry a slot's value, not the subject: left out of the subject overlap.
_SLOT_WORDS = frozenset(
    content_terms(
        "not no never cannot stop avoid avoided quit skip cut out must should may might can "
        "could need always usually often sometimes rarely every once twice times daily weekly "
        "monthly yearly day week month year hour minute more less fewer up least most safe "
        "recommended take taking given give"
    )
)


_END = re.compile(r"[.!]['\"”’)\]]*$")
MIN_STATEMENT_WORDS = 4  # "Not so with X." is a reply, not a statement of its own
# find_conflict judges the wording alone unless given the stage's subject threshold
# (ReconcileSettings.conflict_min_subject): no subject overlap is asked for.
NO_SUBJECT_CHECK = 0.0


def _statement(text: str) -> bool:
    """A full sentence: it ends like one and has a few words (a menu line or a reply
    that only makes sense beside its neighbours cannot contradict anything)."""
    text = text.strip()
    return (
        bool(_END.search(text))
        and len(text.split()) >= MIN_STATEMENT_WORDS
        and not (text.lower().startswith(("not ", "no ", "but ")))
    )


def subject_overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two sentences' content words, numbers and slot words left
    out: how far they speak of the same thing apart from the value they give it."""
    terms_a = {t for t in content_terms(a) if not t[0].isdigit()} - _SLOT_WORDS
    terms_b = {t for t in content_terms(b) if not t[0].isdigit()} - _SLOT_WORDS
    union = terms_a | terms_b
    return len(terms_a & terms_b) / len(union) if union else 0.0


def judge_pair(
    a: str,
    b: str,
    min_subject: float = NO_SUBJECT_CHECK,
    context_a: str = "",
    context_b: str = "",
) -> tuple[str, str | None]:
    """(``same`` | ``conflict`` | ``different``, type) for two wordings of one subject.

    ``conflict`` types: number, frequency, negation, exclusive; ``different`` types
    (two claims, not a conflict): date, population, condition, quantity, strength,
    mood (an instruction vs a statement), ``fragment`` (one side is no full sentence)
    and ``subject`` (a conflict whose sentences share less than ``min_subject`` of their
    subject words: a look-alike, not the same subject). ``context_a`` / ``context_b``:
    each sentence's section heading and page title, read for the population a sentence
    about "your child" leaves to its page."""
    verdict, slot = compare_slots(a, b, context_a, context_b)
    if verdict == "conflict" and not (_statement(a) and _statement(b)):
        return "different", "fragment"
    if verdict == "conflict" and subject_overlap(a, b) < min_subject:
        return "different", "subject"
    if verdict != "same":
        return verdict, slot
    for one, other in ((a, b), (b, a)):
        if _EXCLUSIVE.search(one.strip()) and len(list_items(other)) >= MIN_LIST_ITEMS:
            return (
                ("conflict", "exclusive")
                if subject_overlap(a, b) >= min_subject
                else ("different", "subject")
            )
    return "same", None


def find_conflict(a: str, b: str, min_subject: float = NO_SUBJECT_CHECK) -> str | None:
    """The type of disagreement between two aligned claims, or None when they do not
    conflict (the same fact, or two different facts). ``min_subject`` as in
    :func:`judge_pair`; the stage passes ``ReconcileSettings.conflict_min_subject``."""
    verdict, kind = judge_pair(a, b, min_subject)
    return kind if verdict == "conflict" else None
