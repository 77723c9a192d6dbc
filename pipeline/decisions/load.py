"""Editorial decisions (raw/decisions.toml): the file format, its parser and status rows.

Editors record what the machine got wrong; every rebuild applies the decisions again.
Checked by hand, not by pydantic: the eight entry kinds are small frozen dataclasses, and
the messages speak the editor's file ("decisions.toml: [[trust]] #2: trust must be a
whole number from 0 to ..."), which pydantic's would not without a layer of their own.
The file holds arrays of tables, one per kind of decision; every entry may carry a
``note`` (free text, shown in the reports)::

    [[exclude]]            # drop a source from the corpus (and its removed spans)
    doc_id = "003_x"
    reason = "content farm"     # optional

    [[trust]]              # override a source's trust tier (integer, higher = better)
    doc_id = "001_x"
    trust = 0

    [[not_related]]        # the machine paired two documents that are independent
    a = "001_x"
    b = "002_x"

    [[relation]]           # force a relation and its direction: copy derives from original
    copy = "000_x"
    original = "004_x"
    relation = "spun_copy"  # optional when the machine found the pair: its kind is kept

    [[pin]]                # the canonical wording of a claim
    claim_id = "c_..."
    text = "..."

    [[merge]]              # these claims say the same thing (the first listed one stays)
    claims = ["c_1", "c_2"]

    [[split]]              # this sentence does not belong in the claim: its own claim
    claim_id = "c_..."
    sentence_id = "004_x#s012"

    [[review]]             # a sentence of the claim's review queue (processed/review.jsonl)
    claim_id = "c_..."
    sentence_id = "004_x#s012"
    accept = true          # true: it supports the claim and its source counts; false: not

Where they apply: exclude and trust right after ingest + clean; not_related and
relation after copy detection (groups are recomputed); after reconcile merge, then
review (so a claim_id merged away still finds its survivor's queue, which is what
review.jsonl lists), then split and pin. Each decision gets one row in
processed/decisions.jsonl with its status: ``applied``; ``stale`` (its target is gone
from this build, e.g. a claim_id that no longer exists, or a review sentence that is
no longer waiting in that claim's queue); or ``error`` (a doc_id that names no
document in raw/: also one row in errors.jsonl). A file that is not valid TOML, an
unknown kind, an unknown or missing key, or a value of the wrong type is a
:class:`DecisionsError` naming the entry.
"""

from __future__ import annotations

import tomllib
from dataclasses import MISSING, dataclass, fields
from typing import Any

import pandas as pd

from pipeline.errors import DecisionsError
from pipeline.tables import COPY_RELATIONS, ERROR_COLUMNS, MAX_TRUST, error_row

DECISIONS_FILE = "decisions.toml"
STATUS_COLUMNS = ["decision", "target", "status", "detail", "note", "entry"]
OPTIONAL_TEXT = {"note", "reason", "relation"}  # keys that may be empty strings


@dataclass(frozen=True)
class Exclude:
    """Drop a document from the corpus before copy detection."""

    doc_id: str
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class Trust:
    """Override a document's trust tier."""

    doc_id: str
    trust: int
    note: str = ""


@dataclass(frozen=True)
class NotRelated:
    """Two documents the machine paired are independent."""

    a: str
    b: str
    note: str = ""


@dataclass(frozen=True)
class Relation:
    """``copy`` derives from ``original`` (``relation`` empty: keep the detected kind)."""

    copy: str
    original: str
    relation: str = ""
    note: str = ""


@dataclass(frozen=True)
class Pin:
    """The canonical wording of a claim."""

    claim_id: str
    text: str
    note: str = ""


@dataclass(frozen=True)
class Merge:
    """These claims say the same thing; the first one listed keeps its id and wording."""

    claims: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Split:
    """A sentence that does not belong in a claim becomes a claim of its own."""

    claim_id: str
    sentence_id: str
    note: str = ""


@dataclass(frozen=True)
class Review:
    """A sentence waiting in a claim's review queue: accepted as support, or rejected."""

    claim_id: str
    sentence_id: str
    accept: bool
    note: str = ""


# kind in the TOML file -> its entry type; decisions.jsonl lists its rows in this order.
KINDS: dict[str, type] = {
    "exclude": Exclude,
    "trust": Trust,
    "not_related": NotRelated,
    "relation": Relation,
    "pin": Pin,
    "merge": Merge,
    "split": Split,
    "review": Review,
}


@dataclass(frozen=True)
class Decisions:
    """Every decision of raw/decisions.toml, by kind, in file order."""

    exclude: tuple[Exclude, ...] = ()
    trust: tuple[Trust, ...] = ()
    not_related: tuple[NotRelated, ...] = ()
    relation: tuple[Relation, ...] = ()
    pin: tuple[Pin, ...] = ()
    merge: tuple[Merge, ...] = ()
    split: tuple[Split, ...] = ()
    review: tuple[Review, ...] = ()


def _check_type(value: Any, expected: type, where: str, key: str) -> Any:
    if expected is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise DecisionsError(f"{where}: {key} must be a list of claim_ids, got {value!r}")
        return tuple(value)
    if expected is bool:
        if not isinstance(value, bool):
            raise DecisionsError(f"{where}: {key} must be true or false, got {value!r}")
        return value
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TRUST:
            raise DecisionsError(
                f"{where}: {key} must be a whole number from 0 to {MAX_TRUST}, got {value!r}"
            )
        return value
    if not isinstance(value, str):
        raise DecisionsError(f"{where}: {key} must be a string, got {value!r}")
    return value.strip()


def _entry(kind: str, number: int, table: Any) -> Any:
    cls = KINDS[kind]
    where = f"{DECISIONS_FILE}: [[{kind}]] #{number}"
    if not isinstance(table, dict):
        raise DecisionsError(f"{where}: must be a table ([[{kind}]] followed by key = value lines)")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise DecisionsError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(known)}"
        )
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name not in table:
            if spec.default is MISSING:
                raise DecisionsError(f"{where}: missing key {name}")
            continue
        expected = {"tuple[str, ...]": tuple, "int": int, "bool": bool}.get(str(spec.type), str)
        values[name] = _check_type(table[name], expected, where, name)
        if expected is str and name not in OPTIONAL_TEXT and not values[name]:
            raise DecisionsError(f"{where}: {name} must not be empty")
    entry = cls(**values)
    _check_entry(entry, where)
    return entry


def _check_entry(entry: Any, where: str) -> None:
    if isinstance(entry, Relation):
        if entry.relation and entry.relation not in COPY_RELATIONS:
            raise DecisionsError(
                f"{where}: relation must be one of {', '.join(COPY_RELATIONS)},"
                f" got {entry.relation!r}"
            )
        if entry.copy == entry.original:
            raise DecisionsError(f"{where}: copy and original are the same document")
    if isinstance(entry, NotRelated) and entry.a == entry.b:
        raise DecisionsError(f"{where}: a and b are the same document")
    if isinstance(entry, Merge) and len(set(entry.claims)) < 2:
        raise DecisionsError(f"{where}: claims must list at least two different claim_ids")


def parse_decisions(text: str) -> Decisions:
    """The decisions in ``text`` (the contents of raw/decisions.toml; see the module doc).

    Raises :class:`DecisionsError` (a ValueError) for text that is not TOML, an unknown
    kind of decision, or an entry with an unknown or missing key or a wrongly typed value.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DecisionsError(f"{DECISIONS_FILE} is not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - set(KINDS))
    if unknown:
        raise DecisionsError(
            f"{DECISIONS_FILE}: unknown kind(s) of decision {', '.join(unknown)};"
            f" known: {', '.join(KINDS)}"
        )
    parsed: dict[str, tuple[Any, ...]] = {}
    for kind, entries in data.items():
        if not isinstance(entries, list):
            raise DecisionsError(f"{DECISIONS_FILE}: write each {kind} decision as [[{kind}]]")
        parsed[kind] = tuple(_entry(kind, n, table) for n, table in enumerate(entries, 1))
    return Decisions(**parsed)


def status_row(
    kind: str, entry: int, target: str, status: str, detail: str, note: str
) -> dict[str, Any]:
    """One decisions.jsonl row: ``status`` is applied, stale or error."""
    return {
        "decision": kind,
        "target": target,
        "status": status,
        "detail": detail,
        "note": note,
        "entry": entry,
    }


def statuses_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The decisions table from :func:`status_row` rows, in kind then file order."""
    order = {kind: i for i, kind in enumerate(KINDS)}
    rows = sorted(rows, key=lambda r: (order.get(r["decision"], 99), int(r["entry"])))
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def replace_statuses(previous: pd.DataFrame | None, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``previous`` statuses updated by ``rows`` (same decision and entry: replaced)."""
    new = {(r["decision"], int(r["entry"])) for r in rows}
    kept: list[dict[str, Any]] = []
    if previous is not None and not previous.empty:
        kept = [
            r for r in previous.to_dict("records") if (r["decision"], int(r["entry"])) not in new
        ]
    return statuses_frame(kept + rows)


def failed_entries(statuses: pd.DataFrame | None) -> set[tuple[str, int]]:
    """(decision, entry) of the decisions already in error (unknown documents)."""
    if statuses is None or statuses.empty:
        return set()
    failed = statuses[statuses["status"] == "error"]
    return {(str(k), int(e)) for k, e in zip(failed["decision"], failed["entry"], strict=True)}


def with_decision_errors(errors: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """``errors`` with one row per decision in error (earlier decision rows replaced)."""
    errors = errors if errors is not None else pd.DataFrame(columns=ERROR_COLUMNS)
    if not errors.empty:
        mine = (errors["source_file"] == DECISIONS_FILE) & (errors["stage"] == "decisions")
        errors = errors[~mine]
    failed = statuses[statuses["status"] == "error"] if not statuses.empty else statuses
    rows = [
        error_row(
            DECISIONS_FILE,
            "decisions",
            f"[[{r['decision']}]] #{int(r['entry'])} names no document in raw/: {r['target']}",
            r["detail"],
        )
        for r in failed.to_dict("records")
    ]
    if not rows:
        return errors.reset_index(drop=True)
    added = pd.DataFrame(rows, columns=ERROR_COLUMNS)
    parts = [frame for frame in (errors, added) if not frame.empty]
    return pd.concat(parts, ignore_index=True)
