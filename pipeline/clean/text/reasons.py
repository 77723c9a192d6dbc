"""Why a unit of a text capture was dropped, when no rule of its own says so.

Own rule first; else the widget it follows (a chat widget's greeting, blurb and option
menu; a search box's "GO" button); else where it sits: before the text, navigation;
after it, footer; a run of list items, a link list or a menu.
"""

from __future__ import annotations

from pipeline.clean.text.lines import Unit
from pipeline.clean.text.signals import WIDGET_REASONS, ends_sentence, words

# Reasons that spill over onto whole blocks after them (a chat widget's blurb and menu);
# the other widget reasons spill only onto button-sized lines.
_SPILL_ANY = frozenset({"chat_widget"})
_SPILL_ITEMS = frozenset({"chat_widget", "share_buttons"})
_BUTTON_WORDS = 4
# Rule names given by place or neighbourhood, not by the unit's own wording.
_CONTEXT_RULES = ("before_text", "after_text", "item_run", "menu_run", "follows_", "heads_")
_CHAT_LEAD_WORDS = 12


def _reason_for_dropped(
    units: list[Unit], reasons: list, kept: list[bool], i: int, before: bool
) -> tuple[str, str]:
    """Reason of a unit outside the kept text that no rule named: from context or place."""
    unit = units[i]
    j = i - 1
    while j >= 0 and not kept[j] and reasons[j] is None and units[j].kind != "heading":
        j -= 1
    previous = reasons[j] if j >= 0 and not kept[j] and units[j].kind != "heading" else None
    if previous:
        spill = _SPILL_ITEMS if unit.kind == "item" else _SPILL_ANY
        small = len(words(unit.text)) <= _BUTTON_WORDS and unit.kind != "item"
        if previous[0] in spill or (small and previous[0] in WIDGET_REASONS):
            return previous[0], "follows_" + previous[0]
    if unit.kind == "item":
        run = [u for u in units[max(0, i - 8) : i + 9] if u.kind == "item"]
        mean_words = sum(len(words(u.text)) for u in run) / max(1, len(run))
        return ("link_list", "item_run") if mean_words >= 3 else ("navigation", "menu_run")
    return ("navigation", "before_text") if before else ("footer", "after_text")


def _by_context(rule: str) -> bool:
    return rule.startswith(_CONTEXT_RULES)


def _absorb_chat_widget(units: list[Unit], reasons: list, kept: list[bool]) -> None:
    """After the text, a chat widget takes its greeting before it and its menu after it."""
    last_kept = max((i for i, k in enumerate(kept) if k), default=-1)
    tail = range(last_kept + 1, len(units))
    first_chat = next(
        (
            i
            for i in tail
            if reasons[i] and reasons[i][0] == "chat_widget" and not _by_context(reasons[i][1])
        ),
        None,
    )
    if first_chat is None:
        return
    for i in range(first_chat + 1, len(units)):
        if reasons[i] and (_by_context(reasons[i][1]) or units[i].kind == "item"):
            reasons[i] = ("chat_widget", "in_chat_widget")
    i = first_chat - 1
    while (
        i > last_kept
        and reasons[i]
        and _by_context(reasons[i][1])
        and (len(words(units[i].text)) <= _CHAT_LEAD_WORDS)
    ):
        reasons[i] = ("chat_widget", "in_chat_widget")
        i -= 1


def assign_reasons(
    units: list[Unit], verdicts: list, heading_like: list[bool], kept: list[bool]
) -> list[tuple[str, str] | None]:
    """A reason for every unit not kept (own rule, widget it follows, or place)."""
    first = next((i for i, k in enumerate(kept) if k), len(units))
    reasons: list[tuple[str, str] | None] = list(verdicts)
    for i, unit in enumerate(units):
        prev = reasons[i - 1] if i > 0 and not kept[i - 1] else None
        button = len(words(unit.text)) <= _BUTTON_WORDS and not ends_sentence(unit.text)
        reason = reasons[i]
        linked = reason is not None and reason[1] in ("link_item", "link_run")
        if (
            prev
            and prev[0] in WIDGET_REASONS
            and button
            and not heading_like[i]
            and (unit.kind != "item" and (kept[i] or linked))
        ):
            kept[i], reasons[i] = False, (prev[0], "follows_" + prev[0])
        if not kept[i] and reasons[i] is None and unit.kind != "heading" and unit.text:
            reasons[i] = _reason_for_dropped(units, reasons, kept, i, before=i < first)
    for i in range(len(units) - 1, -1, -1):
        if not kept[i] and reasons[i] is None and units[i].kind == "heading":
            nxt = reasons[i + 1] if i + 1 < len(units) and not kept[i + 1] else None
            reasons[i] = (
                (nxt[0], "heads_" + nxt[0])
                if nxt
                else (("navigation", "before_text") if i < first else ("footer", "after_text"))
            )
    _absorb_chat_widget(units, reasons, kept)
    return reasons
