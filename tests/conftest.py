"""Shared fixtures: the project's raw/ seeds, ../shared, and a settings object."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The project's raw/ folder (the seeds and sources.csv)."""
    return ROOT / "raw"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared, which CI places beside the checkout."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout")
    return SHARED


@pytest.fixture()
def settings() -> Settings:
    """Default settings."""
    return Settings()
