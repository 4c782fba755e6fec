"""Generic checks over the shipped question bank (``question_bank/**/*.yaml``).

One parametrised test per template runs many seeds and checks, as a student would type them:
the correct answer gets full marks, every listed mistake gets less (with its feedback), the
variant survives a JSON round trip and the public view leaks no answer. Bank-level tests check
the size of the bank, unique slugs and that every solver of the dlcore contract is used.
"""

from __future__ import annotations

import json
import math
import pathlib
from typing import Any

import pytest

from questions import Variant, generate_variant, grade_part, load_template

BANK = pathlib.Path(__file__).resolve().parents[2] / "question_bank"
FILES = sorted(BANK.rglob("*.yaml"))
SEEDS = range(30)

CONTRACT_SOLVERS = {
    "conv2d_output_shape", "conv2d_param_count", "cnn_summary", "conv2d", "conv_transpose1d", "receptive_field",
    "activation_derivative", "softmax", "rmsprop_step", "adam_step", "momentum_step", "adagrad_step", "batchnorm",
    "mixup", "dice_coefficient", "mlp_sgd_step", "depthwise_separable_cost",
}
SECRET_KEYS = {"correct", "mistakes", "explanation_html", "steps", "option_feedback", "params"}


def _load(path: pathlib.Path):
    return load_template(path.read_text(encoding="utf-8"), source=str(path))


def _num(v: Any, decimals: int | None) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if decimals is not None:
        return f"{v:.{decimals}f}"
    return repr(float(v))


def typed(ptype: str, value: Any, tolerance: dict[str, Any] | None = None) -> Any:
    """The value as a student types it; rounded to the asked decimals when the part says so."""
    decimals = (tolerance or {}).get("decimals")
    if ptype in ("single_choice", "multiple_choice"):
        return value if isinstance(value, str) else ", ".join(value)
    if ptype == "true_false":
        return "true" if value else "false"
    if ptype == "shape":
        return " x ".join(str(int(v)) for v in value)
    if ptype == "vector":
        return "[" + ", ".join(_num(v, decimals) for v in value) + "]"
    if ptype == "matrix":
        return "[" + ", ".join("[" + ",".join(_num(v, decimals) for v in row) + "]" for row in value) + "]"
    return _num(value, decimals)


def _keys(obj: Any) -> set[str]:
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in _keys(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in _keys(v)}
    return set()


def _floats(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(BANK)) for p in FILES])
def test_template_variants_grade_as_expected(path: pathlib.Path) -> None:
    spec = _load(path)
    for seed in SEEDS:
        v = generate_variant(spec, seed)
        where = f"{path.name} seed {seed}"

        # JSON round trips: parameters and the whole variant.
        assert json.loads(json.dumps(v.params)) == v.params, where
        assert Variant.from_dict(json.loads(json.dumps(v.to_dict()))) == v, where

        # The public view shows no answer, no mistakes, no explanation.
        public = v.public_dict()
        assert not (_keys(public) & SECRET_KEYS), where
        public_json = json.dumps(public)
        for part in v.parts:
            for f in _floats(part.correct):
                if not float(f).is_integer() and len(repr(f)) >= 8:
                    assert repr(f) not in public_json, f"{where}: {part.key} leaks {f!r}"

        for part in v.parts:
            answer = typed(part.type, part.correct, part.tolerance)
            result = grade_part(part, answer)
            assert result.format_error is None, f"{where}: part {part.key}: {answer!r}: {result.format_error}"
            assert result.score == 1.0, f"{where}: part {part.key}: correct answer {answer!r} scored {result.score}"

            if part.type == "multiple_choice":
                wrong = [c["id"] for c in part.choices if c["id"] not in part.correct]
                if wrong:
                    assert grade_part(part, typed(part.type, wrong)).score < 1.0, where
            elif part.type == "single_choice":
                for c in part.choices:
                    if c["id"] != part.correct:
                        assert grade_part(part, c["id"]).score == 0.0, where

            for name, m in part.mistakes.items():
                answer = m["choice"] if "choice" in m else typed(part.type, m["value"])
                r = grade_part(part, answer)
                assert r.format_error is None, f"{where}: mistake {name} typed {answer!r}: {r.format_error}"
                assert r.score < 1.0, f"{where}: part {part.key}: mistake {name} ({answer!r}) gets full marks"
                if "choice" not in m:
                    assert r.mistake is not None, f"{where}: mistake {name} ({answer!r}) not recognised"
                if m.get("feedback") and r.mistake == name:
                    assert m["feedback"] in (r.feedback or ""), where


def test_bank_size_and_unique_slugs() -> None:
    specs = [_load(p) for p in FILES]
    assert len(specs) >= 30
    slugs = [s.slug for s in specs]
    assert len(set(slugs)) == len(slugs), sorted(s for s in slugs if slugs.count(s) > 1)
    for path, spec in zip(FILES, specs, strict=True):
        assert path.stem == spec.slug, f"{path} holds slug {spec.slug}"


def test_every_contract_solver_is_used() -> None:
    used = {part.solver for p in FILES for part in _load(p).parts if part.solver}
    assert CONTRACT_SOLVERS <= used, sorted(CONTRACT_SOLVERS - used)


def test_conv_output_size_keeps_its_contract() -> None:
    spec = _load(BANK / "cnn" / "conv-output-size.yaml")
    assert spec.slug == "conv-output-size"
    assert [p.key for p in spec.parts] == ["shape", "count"]


def test_no_seed_answer_is_nan() -> None:
    for path in FILES:
        v = generate_variant(_load(path), 12345)
        for part in v.parts:
            assert all(math.isfinite(f) for f in _floats(part.correct)), path
