"""The house's import rules: imports run one way, down, and a stage uses another's API only.

Layers, bottom to top:
  0 foundation  pipeline, settings, tables, errors, text/
  1 services    io/, runtime/
  2 stages      ingest/, clean/, dedup/, align/, reconcile/, decisions/, report/
  3 orchestration  document_steps, stages, outputs, build
  4 command line   cli
A module may import its own layer or lower ones. A stage may import another stage only
through that stage's package (``from pipeline.dedup import assign_groups``), never a
module inside it (``pipeline.dedup.graph``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"
STAGES = {"ingest", "clean", "dedup", "align", "reconcile", "decisions", "report"}
LAYERS = {
    "": 0,
    "settings": 0,
    "settings_check": 0,
    "tables": 0,
    "errors": 0,
    "text": 0,
    "io": 1,
    "runtime": 1,
    **dict.fromkeys(STAGES, 2),
    "document_steps": 3,
    "stages": 3,
    "outputs": 3,
    "build": 3,
    "cli": 4,
}


def _room(module: str) -> str:
    """The top-level room of a dotted module name: 'pipeline.clean.html.rules' -> 'clean'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _modules(package: Path = PACKAGE) -> list[tuple[str, Path]]:
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append((".".join(parts), path))
    return found


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``pipeline`` module this file imports (also inside functions), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "pipeline":
                found += [(node.lineno, f"pipeline.{a.name}") for a in node.names]
            elif node.module.startswith("pipeline."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("pipeline")]
    return found


def import_violations(package: Path = PACKAGE) -> list[str]:
    """One line per import in ``package`` that breaks the rules above."""
    problems = []
    for module, path in _modules(package):
        room = _room(module)
        if room not in LAYERS:
            problems.append(f"{module}: the room {room!r} is not in the layer table")
            continue
        for line, target in _imports(path):
            other = _room(target)
            if other == "__version__":
                continue
            if other not in LAYERS:
                problems.append(f"{module}:{line} imports {target}, outside every layer")
            elif LAYERS[other] > LAYERS[room]:
                problems.append(f"{module}:{line} imports {target}, a higher layer")
            elif other in STAGES and other != room and target != f"pipeline.{other}":
                problems.append(f"{module}:{line} imports {target}, inside another stage")
    return problems


def test_imports_run_down_and_stages_use_each_others_api_only() -> None:
    assert import_violations() == []


@pytest.mark.parametrize(
    ("room", "source", "expected"),
    [
        ("io", "from pipeline.build import build\n", "a higher layer"),
        ("decisions", "from pipeline.dedup.graph import assign_groups\n", "inside another stage"),
        ("text", "import pipeline.clean\n", "a higher layer"),
    ],
)
def test_the_rules_catch_a_wrong_import(
    tmp_path: Path, room: str, source: str, expected: str
) -> None:
    module = tmp_path / "pipeline" / room / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text(source)
    problems = import_violations(tmp_path / "pipeline")
    assert len(problems) == 1 and expected in problems[0]


def test_no_module_is_longer_than_one_sitting() -> None:
    long = [
        f"{path.relative_to(PACKAGE.parent)}: {n} lines"
        for _, path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    ]
    assert long == []
