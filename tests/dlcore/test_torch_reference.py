"""dlcore agrees with PyTorch: always against the committed golden files, and
against live PyTorch where it is installed (CI installs torch==2.13.0)."""

from __future__ import annotations

import json
import math
import pathlib
from typing import Any

import pytest

from dlcore import solve
from dlcore.torch_reference import cases, references, torch_available

GOLDEN_DIR = pathlib.Path(__file__).parent / "golden"
REL = 1e-6
ABS = 1e-9


def assert_close(actual: Any, expected: Any, path: str = "answer") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), f"{path}: keys differ"
        for k in expected:
            assert_close(actual[k], expected[k], f"{path}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: length differs"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_close(a, e, f"{path}[{i}]")
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
        assert math.isclose(actual, expected, rel_tol=REL, abs_tol=ABS), f"{path}: {actual} != {expected}"
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def golden_records() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(GOLDEN_DIR.glob("*.json")):
        for i, rec in enumerate(json.loads(path.read_text())["cases"]):
            out.append(pytest.param(rec, id=f"{path.stem}-{i}-{rec['solver']}"))
    return out


def all_cases() -> list[Any]:
    return [
        pytest.param(name, params, id=f"{module}-{i}-{name}")
        for module, module_cases in cases().items()
        for i, (name, params) in enumerate(module_cases)
    ]


@pytest.mark.parametrize("record", golden_records())
def test_dlcore_matches_the_golden_file(record):
    assert_close(solve(record["solver"], record["params"]).answer, record["answer"])


def test_every_case_has_a_golden_record():
    recorded = {(r.values[0]["solver"], json.dumps(r.values[0]["params"], sort_keys=True)) for r in golden_records()}
    for p in all_cases():
        name, params = p.values
        assert (name, json.dumps(params, sort_keys=True)) in recorded, f"{p.id}: run python -m dlcore.torch_reference.regenerate"


@pytest.mark.skipif(not torch_available(), reason="PyTorch not installed: compared against golden files only")
@pytest.mark.parametrize("name, params", all_cases())
def test_dlcore_matches_live_pytorch(name, params):
    assert_close(solve(name, params).answer, references()[name](params))
