"""manifest.json: tool, parameters, every input and output with its sha256."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime

import pandas as pd

from pipeline import __version__
from pipeline.io.schema import SCHEMA_VERSION
from pipeline.settings import Settings


def built_at() -> str:
    """Build time for manifest.json: SOURCE_DATE_EPOCH when set, else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def json_bytes(value: object) -> bytes:
    """``value`` as indented UTF-8 JSON with a final newline."""
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def _rows(name: str, data: bytes) -> int | None:
    if name.endswith(".jsonl"):
        return data.count(b"\n")
    if name.endswith(".csv"):
        return max(data.count(b"\n") - 1, 0)
    return None


def manifest(
    files: dict[str, bytes],
    raw_files: pd.DataFrame,
    controls: dict[str, bytes],
    settings: Settings,
) -> dict[str, object]:
    """manifest.json's content for the output ``files`` built from ``raw_files`` and the
    raw/ control files' bytes ``controls`` (sources.csv, decisions.toml)."""
    listed = zip(raw_files["source_file"], raw_files["sha256"], raw_files["size"], strict=True)
    inputs = [
        {"file": name, "sha256": sha256, "bytes": int(size)}
        for name, sha256, size in sorted(listed)
    ]
    for control in ("sources.csv", "decisions.toml"):
        if control in controls:
            data = controls[control]
            inputs.append(
                {"file": control, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            )
    outputs = [
        {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "rows": _rows(name, data)}
        for name, data in sorted(files.items())
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "curate",
        "tool_version": __version__,
        "built_at": built_at(),
        "parameters": settings.to_dict(),
        "inputs": inputs,
        "outputs": outputs,
    }
