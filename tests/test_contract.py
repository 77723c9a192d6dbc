"""processed/ against its schema (pipeline/io/schema.py) and ../shared/CONTRACT.md.

Two builds are checked file by file: the seeds, and the seeds with a page of HTML, a
page that conflicts with a seed, an empty file (an error row) and a decisions.toml of
every kind. Every table must hold
exactly its schema's columns in order, values of the declared types (nested values
included), unique primary keys and foreign keys that resolve; datapackage.json must
describe it all. The writer must refuse an undescribed column, and processed/ must
honour the umask.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.decisions import review_snippet
from pipeline.io import write_output_dir
from pipeline.io.formats import csv_text
from pipeline.io.schema import FIELDS, PRIMARY_KEYS, SchemaError, columns, table_schema
from pipeline.outputs import serialise
from pipeline.settings import Settings
from pipeline.tables import RAW_FILE_COLUMNS

TYPES = {"string", "integer", "number", "boolean", "date", "array", "object"}
ARTICLE = (
    "<html><head><title>Heat safety</title></head><body><nav><a href='/'>Home</a></nav>"
    "<h1>Heat safety</h1><p>Drink water often when you work outside in hot weather, and"
    " rest in the shade.</p><footer>Copyright 2024 Heat Example.</footer></body></html>"
)
# A seed says "around 25% patients": this page's 40% makes a conflict of two claims.
RESPONSE = """How often immunotherapy works

Immunotherapy can produce durable responses unlike chemotherapy or radiation, however,\
 these occur only in around 40% of patients.

Ask your care team how your own cancer is likely to respond, and which tests they will use.
"""


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    """Run the block under ``mask``, then restore the previous umask."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def build(raw: Path, out: Path) -> Path:
    """`curate build` of ``raw`` into ``out`` under umask 022; returns ``out``."""
    with umask(0o022):
        result = CliRunner().invoke(
            main, ["--quiet", "build", "--raw", str(raw), "--out", str(out)]
        )
    assert result.exit_code == 0, result.output
    return out


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def seed_output(tmp_path_factory, raw_dir) -> Path:
    """The seeds built once."""
    return build(raw_dir, tmp_path_factory.mktemp("contract") / "processed")


def _decisions(claims: list[dict[str, Any]]) -> str:
    """A decisions.toml of every kind, aimed at distinct claims of the seed build."""
    queued = [c for c in claims if c["review"]]
    accepted, rejected = queued[0], queued[1]
    rest = [c for c in claims if c not in (accepted, rejected)]
    split = next(
        c for c in rest if any(s["doc_id"] != c["doc_id"] and s["via"] == "original"
                               for s in c["support"])
    )  # fmt: skip
    moved = next(
        s for s in split["support"] if s["doc_id"] != split["doc_id"] and s["via"] == "original"
    )
    singles = [c for c in rest if c is not split and c["status"] == "single_source"]
    first, second = singles[0], next(c for c in singles if c["doc_id"] != singles[0]["doc_id"])
    pinned = next(c for c in rest if c not in (split, first, second))
    return "\n".join(
        [
            '[[exclude]]\ndoc_id = "999_not_in_raw"',
            '[[trust]]\ndoc_id = "001_a4ac4428451ab202"\ntrust = 1',
            '[[relation]]\ncopy = "000_d9c78c9f329d1f8b"\noriginal = "004_cb819cfe1ea844d4"',
            f'[[merge]]\nclaims = ["{first["claim_id"]}", "{second["claim_id"]}"]',
            review_snippet(accepted["claim_id"], accepted["review"][0]["sentence_id"], True),
            review_snippet(rejected["claim_id"], rejected["review"][0]["sentence_id"], False),
            f'[[split]]\nclaim_id = "{split["claim_id"]}"\nsentence_id = "{moved["sentence_id"]}"',
            f'[[pin]]\nclaim_id = "{pinned["claim_id"]}"\ntext = "As the editors word it."',
        ]
    )


@pytest.fixture(scope="module")
def decided_output(tmp_path_factory, raw_dir, seed_output) -> Path:
    """The seeds plus an HTML page, a conflicting page, an empty file and decisions."""
    raw = tmp_path_factory.mktemp("decided") / "raw"
    shutil.copytree(raw_dir, raw)
    (raw / "heat.html").write_text(ARTICLE, encoding="utf-8")
    (raw / "empty.txt").write_bytes(b"")
    (raw / "response.txt").write_text(RESPONSE, encoding="utf-8")
    decisions = _decisions(jsonl(seed_output / "claims.jsonl"))
    (raw / "decisions.toml").write_text(decisions, encoding="utf-8")
    return build(raw, raw.parent / "processed")


# --- checking a folder against its datapackage.json ------------------------------------


def _type_ok(value: Any, type_: str) -> bool:
    if value is None:
        return True
    if type_ == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_ == "date":
        with contextlib.suppress(TypeError, ValueError):
            return bool(re.fullmatch(r"\d{4}-\d\d-\d\d", value)) and bool(date.fromisoformat(value))
        return False
    kinds = {"string": str, "boolean": bool, "array": list, "object": dict}
    return isinstance(value, kinds[type_])


def _csv_value(cell: str, type_: str) -> Any:
    """A CSV cell as the JSON value of its type (unparseable cells stay text)."""
    cell = csv_text(cell)
    if cell == "":
        return None
    with contextlib.suppress(ValueError):
        if type_ == "integer":
            return int(cell)
        if type_ == "number":
            return float(cell)
    if type_ == "boolean" and cell in ("true", "false"):
        return cell == "true"
    return cell


def _read(folder: Path, name: str, fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of table ``name``; asserts each row holds exactly the schema's columns."""
    names = [f["name"] for f in fields]
    if name.endswith(".csv"):
        reader = csv.reader(io.StringIO((folder / name).read_text(encoding="utf-8")))
        header, *cells = list(reader)
        assert header == names, name
        types = [f["type"] for f in fields]
        return [
            {n: _csv_value(c, t) for n, c, t in zip(names, row, types, strict=True)}
            for row in cells
        ]
    rows = jsonl(folder / name)
    for number, row in enumerate(rows, 1):
        assert list(row) == names, f"{name} row {number}: columns {list(row)}"
    return rows


Reference = tuple[str, str, Any, str]  # (resource, field, value, where)


def _value_problems(where: str, value: Any, descriptor: dict, refs: list[Reference]) -> list:
    """What is wrong with ``value`` against its field ``descriptor``, nested values too."""
    if not _type_ok(value, descriptor["type"]):
        return [f"{where}: {value!r} is no {descriptor['type']}"]
    problems: list[str] = []
    if "reference" in descriptor and value is not None:
        ref = descriptor["reference"]
        refs.append((ref["resource"], ref["fields"], value, where))
    if isinstance(value, list) and "items" in descriptor:
        for i, item in enumerate(value):
            problems += _value_problems(f"{where}[{i}]", item, descriptor["items"], refs)
    if isinstance(value, dict) and "fields" in descriptor:
        keys = {f["name"]: f for f in descriptor["fields"]}
        problems += [f"{where}: key {k!r} is not described" for k in value if k not in keys]
        for key, item in value.items():
            if key in keys:
                problems += _value_problems(f"{where}.{key}", item, keys[key], refs)
    return problems


def contract_problems(folder: Path) -> list[str]:
    """Everything in ``folder``'s tables that its datapackage.json does not allow."""
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = {r["name"]: r for r in package["resources"] if "schema" in r}
    assert {r["path"] for r in tables.values()} == set(FIELDS)
    rows = {n: _read(folder, r["path"], r["schema"]["fields"]) for n, r in tables.items()}
    problems: list[str] = []
    refs: list[Reference] = []
    for name, resource in tables.items():
        schema = resource["schema"]
        for number, row in enumerate(rows[name], 1):
            for field in schema["fields"]:
                where = f"{resource['path']} row {number} {field['name']}"
                problems += _value_problems(where, row[field["name"]], field, refs)
        key = schema.get("primaryKey", [])
        values = [tuple(row[k] for k in key) for row in rows[name]]
        if key and (len(set(values)) < len(values) or any(None in v for v in values)):
            problems.append(f"{resource['path']}: primary key {key} not unique or null")
        for foreign in schema.get("foreignKeys", []):
            target = foreign["reference"]["resource"] or name
            for number, row in enumerate(rows[name], 1):
                where = f"{resource['path']} row {number} {foreign['fields']}"
                refs.append((target, foreign["reference"]["fields"], row[foreign["fields"]], where))
    for target, field, value, where in refs:
        if value is not None and value not in {row[field] for row in rows[target]}:
            problems.append(f"{where}: {value!r} is no {field} of {target}")
    return problems


# --- the tests ----------------------------------------------------------------------------


def test_seed_outputs_match_their_schema(seed_output):
    assert contract_problems(seed_output) == []
    assert all((seed_output / name).stat().st_size for name in ("claims.jsonl", "sources.csv"))


def test_outputs_with_errors_html_and_decisions_match_their_schema(decided_output):
    assert contract_problems(decided_output) == []
    statuses = {(d["decision"], d["status"]) for d in jsonl(decided_output / "decisions.jsonl")}
    assert statuses == {
        ("exclude", "error"), ("trust", "applied"), ("relation", "applied"),
        ("merge", "applied"), ("review", "applied"), ("split", "applied"), ("pin", "applied"),
    }  # fmt: skip
    decided = {r["decision"] for r in jsonl(decided_output / "review.jsonl")}
    assert decided == {"pending", "accepted", "rejected"}
    errors = {e["source_file"] for e in jsonl(decided_output / "errors.jsonl")}
    assert errors == {"empty.txt", "decisions.toml"}
    docs = {d["doc_id"]: d for d in jsonl(decided_output / "documents.jsonl")}
    assert docs["heat"]["format"] == "html"
    relations = jsonl(decided_output / "relations.jsonl")
    assert "machine_judgement" in relations[0]["evidence"]
    conflicts = [c for claim in jsonl(decided_output / "claims.jsonl") for c in claim["conflicts"]]
    assert {c["type"] for c in conflicts} == {"number"}


def test_a_broken_row_is_found(seed_output, tmp_path):
    folder = tmp_path / "processed"
    shutil.copytree(seed_output, folder)
    claims = jsonl(folder / "claims.jsonl")
    claims[0]["support"][0]["sentence_id"] = "nowhere#s000"
    claims[1]["order"] = "first"
    claims[2]["conflicts"] = [{"claim_id": claims[0]["claim_id"], "kind": "number"}]
    lines = [json.dumps(c, ensure_ascii=False) for c in claims]
    (folder / "claims.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sentences = (folder / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "sentences.jsonl").write_text("\n".join([*sentences, sentences[0]]) + "\n")
    problems = contract_problems(folder)
    assert "claims.jsonl row 1 support[0].sentence_id: 'nowhere#s000' is no sentence_id" in (
        " ".join(problems)
    )
    assert "claims.jsonl row 2 order: 'first' is no integer" in problems
    assert "claims.jsonl row 3 conflicts[0]: key 'kind' is not described" in problems
    assert "sentences.jsonl: primary key ['sentence_id'] not unique or null" in problems


def test_datapackage_describes_every_field_key_and_nested_value(seed_output):
    package = json.loads((seed_output / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in package["resources"]}
    names = {r["name"] for r in package["resources"]}
    for path, fields in FIELDS.items():
        schema = resources[path]["schema"]
        assert schema == table_schema(path)
        assert [f["name"] for f in schema["fields"]] == [f for f, _t, _d in fields]
        for field in schema["fields"]:
            assert field["type"] in TYPES and field["description"], (path, field["name"])
            if field["type"] == "array":
                assert "items" in field, (path, field["name"])
            if field["type"] == "object":
                assert field.get("fields"), (path, field["name"])
        assert schema.get("primaryKey") == PRIMARY_KEYS.get(path)
        for foreign in schema.get("foreignKeys", []):
            assert foreign["reference"]["resource"] in names | {""}
    assert set(PRIMARY_KEYS) == set(FIELDS) - {"errors.jsonl"}
    support = {f["name"]: f for f in resources["claims.jsonl"]["schema"]["fields"]}["support"]
    assert [k["name"] for k in support["items"]["fields"]] == [
        "doc_id", "sentence_id", "text", "score", "via",
    ]  # fmt: skip


def _promised_fields(contract: str) -> dict[str, tuple[set[str], dict[str, set[str]]]]:
    """file -> (its key fields, field -> the keys of its ``{...}`` items) in CONTRACT.md."""
    promised = {}
    for line in contract.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.fullmatch(r"`[\w.]+`", cells[0]):
            continue
        text = cells[2]
        nested = {
            field: {k.strip() for k in keys.split(",")}
            for field, keys in re.findall(r"`(\w+)` \([^)]*?`\{([^}]*)\}`", text)
        }
        top = re.sub(r"\([^)]*\)", "", text)
        promised[cells[0].strip("`")] = (set(re.findall(r"`(\w+)`", top)), nested)
    return promised


def test_schema_lists_what_the_contract_promises(shared_dir):
    promised = _promised_fields((shared_dir / "CONTRACT.md").read_text(encoding="utf-8"))
    assert {n for n in promised if n.endswith((".jsonl", ".csv"))} <= set(FIELDS)
    for name, (fields, nested) in promised.items():
        if name not in FIELDS:
            continue
        assert fields <= set(columns(name)), name
        schema = {f["name"]: f for f in table_schema(name)["fields"]}
        for field, keys in nested.items():
            assert keys <= {k["name"] for k in schema[field]["items"]["fields"]}, field
    assert promised["claims.jsonl"][1]["conflicts"] == {"claim_id", "type", "detail"}


def test_writer_refuses_a_column_its_schema_does_not_list(tmp_path):
    raw_files = pd.DataFrame(columns=RAW_FILE_COLUMNS)
    errors = pd.DataFrame([["a.txt", "clean", "empty file", ""]], columns=columns("errors.jsonl"))
    written = serialise({"errors.jsonl": errors}, raw_files, {}, Settings())
    assert json.loads(written["errors.jsonl"])["source_file"] == "a.txt"
    with pytest.raises(SchemaError, match=r"errors\.jsonl: column\(s\) debug not in its schema"):
        serialise({"errors.jsonl": errors.assign(debug=1)}, raw_files, {}, Settings())
    with pytest.raises(SchemaError, match=r"errors\.jsonl: the table lacks column\(s\) detail"):
        serialise({"errors.jsonl": errors.drop(columns="detail")}, raw_files, {}, Settings())


def _modes(folder: Path) -> dict[str, int]:
    paths = [folder, *folder.rglob("*")]
    return {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in paths}


@pytest.mark.parametrize(("mask", "folder", "file"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_output_folder_honours_the_umask(tmp_path, mask, folder, file):
    out = tmp_path / "processed"
    with umask(mask):
        write_output_dir(out, {"a.jsonl": b"{}\n", "reports/index.html": b"<p>"})
    assert _modes(out) == {".": folder, "reports": folder, "a.jsonl": file,
                           "reports/index.html": file}  # fmt: skip


def test_built_output_is_readable_by_other_users(seed_output):
    modes = _modes(seed_output)
    assert {mode for path, mode in modes.items() if (seed_output / path).is_dir()} == {0o755}
    assert {mode for path, mode in modes.items() if (seed_output / path).is_file()} == {0o644}
