"""Checking settings values: types, ranges and allowed values, named by their key.

:mod:`pipeline.settings` annotates each field with one of the types below (``Share``,
``Count``, ...); :class:`Checked` checks them when a settings object is made, and
:func:`problems` checks a table read from TOML before anything is built from it.
Not pydantic: the settings stay plain frozen dataclasses (hashable, cheap to copy into
cache keys and Dask tasks), and five annotated types cover every field in ~120 lines.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints


class SettingsError(ValueError):
    """A setting has the wrong type, range or name: the message names the key."""


@dataclass(frozen=True)
class Range:
    """The values a number setting allows: ``low`` to ``high`` (None: no upper bound)."""

    low: float
    high: float | None = None


# A share, fraction or probability: 0 to 1.
Share = Annotated[float, Range(0, 1)]
# A count or length where 0 means "no minimum" or "none".
Count = Annotated[int, Range(0)]
# A count or size that must be at least 1 (an n-gram length, a batch, a file size cap).
Positive = Annotated[int, Range(1)]
# A non-negative factor (a scale, a growth ratio).
Factor = Annotated[float, Range(0)]
# The sentence embedders align offers.
Embedder = Literal["minilm", "lexical"]
# Whether the learned block model changes the HTML clean (clean.block_model).
BlockModelMode = Literal["off", "override"]
# What runs the MiniLM model.
EncoderRuntime = Literal["onnx", "torch"]

_TYPE_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def _split(hint: Any) -> tuple[Any, Range | None]:
    """The plain type of ``hint`` and its range, if it has one."""
    if get_origin(hint) is not Annotated:
        return hint, None
    base, *extras = get_args(hint)
    return base, next((e for e in extras if isinstance(e, Range)), None)


def base_type(hint: Any) -> Any:
    """The plain type of an annotated one: ``Share`` -> float."""
    return _split(hint)[0]


def _allows(hint: Any) -> str:
    """What a setting of type ``hint`` allows, in words."""
    base, limits = _split(hint)
    if get_origin(base) is Literal:
        return "one of " + ", ".join(repr(v) for v in get_args(base))
    words = _TYPE_NAMES[base]
    if limits is not None:
        words += (
            f" >= {limits.low:g}"
            if limits.high is None
            else f" from {limits.low:g} to {limits.high:g}"
        )
    return words


def _accepts(value: Any, hint: Any) -> bool:
    """Whether ``value`` has the type, range and allowed value of ``hint``."""
    base, limits = _split(hint)
    if get_origin(base) is Literal:
        return any(type(value) is type(v) and value == v for v in get_args(base))
    if base is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)  # TOML allows nan and inf: no threshold means them
    elif base is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, base)
    if not ok or limits is None:
        return ok
    return limits.low <= value and (limits.high is None or value <= limits.high)


@cache
def hints(cls: type) -> dict[str, Any]:
    """Field name -> annotated type of a settings class."""
    return get_type_hints(cls, include_extras=True)


def _section(cls: type) -> str:
    """The table a settings class is read from: CleanSettings -> ``clean``."""
    return cls.__name__.removesuffix("Settings").lower()


def problems(cls: type, values: dict[str, Any], where: str) -> list[str]:
    """One message per value of ``values`` that ``cls`` does not allow (names unknown too)."""
    types, found = hints(cls), []
    for name, value in values.items():
        if name not in types:
            close = difflib.get_close_matches(name, list(types), n=1)
            hint = (
                f"did you mean {where}.{close[0]}?"
                if close
                else f"[{where}] has {', '.join(types)}"
            )
            found.append(f"unknown setting {where}.{name} ({hint})")
        elif not _accepts(value, types[name]):
            shown = str(value).lower() if isinstance(value, bool) else repr(value)  # as TOML
            found.append(f"{where}.{name} must be {_allows(types[name])}, got {shown}")
    return found


class Checked:
    """Checks every field's type, range and allowed values when the object is made."""

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        found = problems(type(self), values, _section(type(self)))
        if found:
            raise SettingsError("; ".join(found))
