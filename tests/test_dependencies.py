"""pyproject.toml declares what pipeline/ imports, and constraints.txt pins all of it.

The committed processed/ is only reproducible with the versions that built it, so every
declared package must have a pin inside its declared bounds, and .venv must hold it.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Declared without being imported by pipeline/, and why.
NOT_IMPORTED = {"onnx": "torch.onnx.export writes the MiniLM graph with it (align/onnx_minilm.py)"}


def _requirements(group: str | None = None) -> dict[str, Requirement]:
    """The runtime dependencies (``group`` None) or one extra's, by canonical name."""
    lines = PROJECT["dependencies"] if group is None else PROJECT["optional-dependencies"][group]
    requirements = (Requirement(line) for line in lines)
    return {canonicalize_name(r.name): r for r in requirements}


def _added_by_extras(requirements: dict[str, Requirement]) -> set[str]:
    """Packages that the requirements' extras bring in (dask[distributed] -> distributed)."""
    added: set[str] = set()
    for req in requirements.values():
        for line in requires(req.name) or []:
            dep = Requirement(line)
            if dep.marker and any(dep.marker.evaluate({"extra": e}) for e in req.extras):
                added.add(canonicalize_name(dep.name))
    return added


def _imported_modules(folder: Path) -> set[str]:
    """Top-level names of the modules imported anywhere under ``folder`` (also inside
    functions), without the standard library and the project's own package."""
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"pipeline"}


def _distributions(module: str) -> set[str]:
    """Canonical names of the installed distributions that provide ``module``."""
    return {canonicalize_name(name) for name in packages_distributions().get(module, [module])}


def _pins() -> dict[str, str]:
    """constraints.txt as canonical name -> pinned version."""
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            assert pinned, f"constraints.txt: {line!r} is not an exact pin"
            pins[canonicalize_name(name)] = pinned
    return pins


def test_pipeline_imports_only_declared_runtime_dependencies():
    declared = set(_requirements()) | _added_by_extras(_requirements())
    undeclared = {
        module: sorted(_distributions(module))
        for module in _imported_modules(ROOT / "pipeline")
        if not _distributions(module) & declared
    }
    assert not undeclared, f"imported by pipeline/ but not in [project] dependencies: {undeclared}"


def test_every_runtime_dependency_is_imported_by_pipeline():
    provided = set().union(*map(_distributions, _imported_modules(ROOT / "pipeline")))
    unused = set(_requirements()) - provided - set(NOT_IMPORTED)
    assert not unused, f"declared but never imported by pipeline/ (move to an extra): {unused}"


def test_constraints_pin_every_declared_package_within_its_bounds():
    pins = _pins()
    declared = {**_requirements(), **_requirements("dev"), **_requirements("bench")}
    unpinned = sorted(set(declared) - set(pins))
    assert not unpinned, f"declared but not pinned in constraints.txt: {unpinned}"
    outside = {
        name: (str(req.specifier), pins[name])
        for name, req in declared.items()
        if not req.specifier.contains(pins[name], prereleases=True)
    }
    assert not outside, f"pinned outside the declared bounds: {outside}"


def test_installed_runtime_packages_are_the_pinned_versions():
    pins = _pins()
    installed: dict[str, str | None] = {}
    for name in _requirements():
        try:
            installed[name] = version(name)
        except PackageNotFoundError:
            installed[name] = None
    drifted = {name: (got, pins[name]) for name, got in installed.items() if got != pins[name]}
    assert not drifted, f"installed (got, pinned) differ; run `make setup`: {drifted}"
