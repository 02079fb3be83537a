"""A tiny synthetic province, generated once per test session and ingested per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from anxin.synth import generate


@pytest.fixture(scope="session")
def tiny_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "batch"
    generate(scale="tiny", seed=3, out=str(out))
    return out
