"""Where each removed span sat: the index of the kept block it followed in the capture.

Cleaners return kept blocks and removed spans as two lists; editors want the spans shown
in place (reports/documents/*.html). Both are found again in the capture's own text, in
order, and each span gets ``after_block``: the index of the last kept block that starts
before it (-1 = before the first). A span that cannot be found takes its predecessor's.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right

from pipeline.clean.blocks import Cleaned

_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.I | re.S)
_KEY_CHARS = 60
_KEY_SIZES = (200, 60, 25)  # try long keys first; cleaners may have edited the tail
_ANCHOR_CHARS = 25  # shorter texts (headings, menu words) recur on a page


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def capture_text(content: str, fmt: str) -> str:
    """The capture as searchable text: markup dropped for HTML, whitespace squashed."""
    if fmt == "html":
        content = html.unescape(_MARKUP.sub(" ", content))
    return _squash(content)


def _find(haystack: str, text: str, cursor: int) -> int:
    """First place of ``text`` from ``cursor`` on (else anywhere): the longest prefix key
    that occurs wins, since a page often repeats a sentence's start (a description)."""
    squashed = _squash(text)
    for size in _KEY_SIZES:
        key = squashed[:size]
        if not key:
            return -1
        found = haystack.find(key, cursor)
        if found < 0:
            found = haystack.find(key)
        if found >= 0:
            return found
        if len(squashed) <= size:
            break
    return -1


def _block_starts(haystack: str, texts: list[str]) -> list[int]:
    """Start of each kept block, in order. Long blocks are anchored first; a short one
    (a heading) takes its last occurrence before the next anchor, since a title repeated
    in a breadcrumb or menu above it would otherwise win."""
    keys = [_squash(t)[:_KEY_CHARS] for t in texts]
    anchors: list[int | None] = [None] * len(keys)
    cursor = 0
    for i, key in enumerate(keys):
        if len(key) >= _ANCHOR_CHARS and (found := _find(haystack, texts[i], cursor)) >= 0:
            cursor = max(cursor, found)
            anchors[i] = cursor
    starts: list[int] = []
    low = 0
    for i, key in enumerate(keys):
        if anchors[i] is None:
            high = next((a for a in anchors[i + 1 :] if a is not None), len(haystack))
            found = haystack.rfind(key, low, max(low, high)) if key else -1
            anchors[i] = found if found >= 0 else low
        low = max(low, anchors[i] or 0)
        starts.append(low)
    return starts


def locate_removals(content: str, fmt: str, cleaned: Cleaned) -> list[int]:
    """``after_block`` for every span of ``cleaned.removed``, in its order."""
    haystack = capture_text(content, fmt)
    starts = _block_starts(haystack, [b.text for b in cleaned.blocks if b.text.split()])
    positions: list[int] = []
    cursor, last = 0, -1
    for removal in cleaned.removed:
        found = _find(haystack, removal.text, cursor)
        if found < 0:
            positions.append(last)
            continue
        cursor = found
        last = bisect_right(starts, found) - 1
        positions.append(last)
    return positions
