"""One typed, frozen settings object for every stage.

Every threshold has a default and a one-line reason beside it. Settings load from
``[tool.curate]`` in a pyproject.toml or from a ``--config`` TOML file, with one
table per stage (``[tool.curate.dedup]``, ...), and are recorded in manifest.json.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class IngestSettings:
    """Reading raw captures."""

    # Larger files are refused with a clear error instead of exhausting memory.
    max_file_bytes: int = 64 * 1024 * 1024
    # Below this share of printable characters a "text" file is treated as binary.
    min_printable_share: float = 0.90


@dataclass(frozen=True)
class CleanSettings:
    """Boilerplate removal for HTML and text captures."""

    # A line seen in at least this many captures of one site is site template.
    template_min_captures: int = 3
    # Deeper HTML is flattened before parsing (parsers recurse; 100k levels crash them).
    max_html_depth: int = 400


@dataclass(frozen=True)
class DedupSettings:
    """Exact, near-duplicate, spun and partial copies."""


@dataclass(frozen=True)
class AlignSettings:
    """Claim segmentation and cross-source alignment."""


@dataclass(frozen=True)
class ReconcileSettings:
    """Canonical wording, citations and conflict rules."""


@dataclass(frozen=True)
class Settings:
    """All stage settings; the single object every stage receives."""

    ingest: IngestSettings = field(default_factory=IngestSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    align: AlignSettings = field(default_factory=AlignSettings)
    reconcile: ReconcileSettings = field(default_factory=ReconcileSettings)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict, for manifest.json."""
        return dataclasses.asdict(self)


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"unknown setting(s) in {where}: {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        default = getattr(cls(), name)
        if dataclasses.is_dataclass(default):
            if not isinstance(value, dict):
                raise ValueError(f"setting {where}.{name} must be a table")
            kwargs[name] = _build(type(default), value, f"{where}.{name}")
        else:
            if isinstance(default, bool) != isinstance(value, bool) or (
                isinstance(default, (int, float)) and not isinstance(value, (int, float))
            ):
                raise ValueError(
                    f"setting {where}.{name} must be {type(default).__name__}, got {value!r}"
                )
            kwargs[name] = type(default)(value) if isinstance(default, float) else value
    return cls(**kwargs)


def load_settings(config: Path | None = None, project_dir: Path | None = None) -> Settings:
    """Settings from ``config`` (a TOML file), else ``[tool.curate]`` of pyproject.toml.

    ``config`` may hold the tables at its top level or under ``[tool.curate]``.
    Missing values keep their defaults; unknown names are an error, not ignored.
    """
    path = config
    if path is None and project_dir is not None:
        candidate = project_dir / "pyproject.toml"
        path = candidate if candidate.exists() else None
    if path is None:
        return Settings()
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    table = data.get("tool", {}).get("curate", data if config is not None else {})
    return _build(Settings, table, "curate")
