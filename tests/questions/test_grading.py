"""Reading and grading answers: parsing table, tolerances, partial credit, mistakes, format errors."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questions import PartResult, VariantPart, generate_variant, grade_part, grade_variant, validate_template
from tests.questions.conftest import example


def part(ptype: str, correct: object, **kw: object) -> VariantPart:
    return VariantPart(key="p", label="P", type=ptype, points=1.0, correct=correct, **kw)  # type: ignore[arg-type]


PARSED = [
    ("numeric", "1.703", 1.703),
    ("numeric", "-0.5", -0.5),
    ("numeric", "1e-3", 0.001),
    ("numeric", "  2 ", 2.0),
    ("numeric", "1/3", 1 / 3),
    ("numeric", "\u22120.5", -0.5),
    ("numeric", ".5", 0.5),
    ("integer", "32", 32),
    ("integer", "32.0", 32),
    ("shape", "[16, 32, 32]", [16, 32, 32]),
    ("shape", "16x32x32", [16, 32, 32]),
    ("shape", "16 × 32 × 32", [16, 32, 32]),
    ("shape", "(16,32,32)", [16, 32, 32]),
    ("shape", "16 32 32", [16, 32, 32]),
    ("vector", "0.1, 0.2", [0.1, 0.2]),
    ("vector", "[0.1 0.2]", [0.1, 0.2]),
    ("vector", "(0.1; 0.2)", [0.1, 0.2]),
    ("matrix", "[[1,2],[3,4]]", [[1, 2], [3, 4]]),
    ("matrix", "1 2; 3 4", [[1, 2], [3, 4]]),
    ("matrix", "1, 2\n3, 4", [[1, 2], [3, 4]]),
    ("matrix", "[1 2; 3 4]", [[1, 2], [3, 4]]),
    ("true_false", "True", True),
    ("true_false", "no", False),
]
CORRECT = {"numeric": 1.0, "integer": 32, "shape": [16, 32, 32], "vector": [0.1, 0.2], "matrix": [[1, 2], [3, 4]],
           "true_false": True}


@pytest.mark.parametrize(("ptype", "raw", "expected"), PARSED)
def test_free_entry_answers_are_read_in_the_usual_notations(ptype: str, raw: str, expected: object) -> None:
    result = grade_part(part(ptype, CORRECT[ptype]), raw)
    assert result.format_error is None
    assert result.parsed == expected


FORMAT_ERRORS = [
    ("numeric", "1,703", "ambiguous"),
    ("numeric", "abc", "Enter a number such as 1.703"),
    ("numeric", "", "Enter an answer"),
    ("numeric", "   ", "Enter an answer"),
    ("numeric", None, "Enter an answer"),
    ("numeric", "NaN", "not a finite number"),
    ("numeric", "inf", "not a finite number"),
    ("numeric", "-Infinity", "not a finite number"),
    ("numeric", "1e999", "too large"),
    ("numeric", "1/0", "divides by zero"),
    ("numeric", "0x10", "not a number"),
    ("integer", "32.5", "whole number"),
    ("shape", "16x32", "Expected 3 numbers, found 2"),
    ("shape", "16x32x32x1", "Expected 3 numbers, found 4"),
    ("shape", "16x32.5x32", "whole number"),
    ("vector", "0.1", "Expected 2 numbers, found 1"),
    ("vector", "[[0.1, 0.2]]", "Brackets"),
    ("matrix", "1 2 3; 4 5 6", "Expected a 2 × 2 matrix"),
    ("matrix", "1 2; 3", "Expected a 2 × 2 matrix"),
    ("true_false", "maybe", "true or false"),
    ("numeric", "1" * 10_000_000, "too long"),
    ("numeric", ["1"], "as text"),
    ("numeric", True, "as text"),
]


@pytest.mark.parametrize(("ptype", "raw", "message"), FORMAT_ERRORS, ids=[f"{t}-{str(r)[:12]!r}" for t, r, _ in FORMAT_ERRORS])
def test_unreadable_answers_are_format_errors_not_wrong_answers(ptype: str, raw: object, message: str) -> None:
    start = time.perf_counter()
    result = grade_part(part(ptype, CORRECT[ptype]), raw)
    assert time.perf_counter() - start < 0.2
    assert result.score == 0 and not result.correct
    assert result.format_error is not None and message in result.format_error
    assert result.feedback is None


TOLERANCES = [
    # tolerance, correct, answer, score
    ({"rel": 0.01}, 1.703, "1.70", 1.0),
    ({"rel": 0.01}, 1.703, "1.72", 1.0),
    ({"rel": 0.01}, 1.703, "1.73", 0.0),
    ({"decimals": 3}, 1.70312, "1.703", 1.0),
    ({"decimals": 3}, 1.70312, "1.7035", 1.0),
    ({"decimals": 3}, 1.70312, "1.704", 0.0),
    ({"decimals": 3}, 1.70312, "1.7", 0.0),
    ({"decimals": 2}, 0.125, "0.13", 1.0),  # 0.125 rounds either way; float slack allows both
    ({"decimals": 2}, 0.125, "0.12", 1.0),
    ({"sigfigs": 3}, 217850.0, "218000", 1.0),
    ({"sigfigs": 3}, 217850.0, "217000", 0.0),
    ({"sigfigs": 2}, 0.0449, "0.045", 1.0),
    ({"abs": 0.05}, 0.0, "0.04", 1.0),
    ({"abs": 0.05}, 0.0, "-0.06", 0.0),
    ({"rel": 0.01}, 0.1 + 0.2, "0.3", 1.0),  # float noise
    ({"rel": 0.001, "abs": 0.01}, 0.0, "0.005", 1.0),  # any criterion may pass
]


@pytest.mark.parametrize(("tolerance", "correct", "answer", "score"), TOLERANCES)
def test_numeric_tolerances(tolerance: dict, correct: float, answer: str, score: float) -> None:
    assert grade_part(part("numeric", correct, tolerance=tolerance), answer).score == score


PARTIAL = [
    ("shape", [16, 28, 28], "per_axis", "16 x 28 x 28", 1.0),
    ("shape", [16, 28, 28], "per_axis", "16 x 27 x 27", 1 / 3),
    ("shape", [16, 28, 28], "none", "16 x 28 x 27", 0.0),
    ("shape", [16, 28, 28], "per_axis", "28 x 28 x 16", 1 / 3),
    ("vector", [0.62, 0.61, 0.39], "per_element", "0.62, 0.61, 0.5", 2 / 3),
    ("vector", [0.62, 0.61, 0.39], "none", "0.62, 0.61, 0.5", 0.0),
    ("matrix", [[1.0, 2.0], [3.0, 4.0]], "per_element", "1 2; 3 5", 0.75),
    ("matrix", [[1.0, 2.0], [3.0, 4.0]], "none", "1 2; 3 5", 0.0),
    ("integer", 217850, "none", "217850", 1.0),
    ("integer", 217850, "none", "217851", 0.0),
]


@pytest.mark.parametrize(("ptype", "correct", "partial", "answer", "score"), PARTIAL)
def test_partial_credit(ptype: str, correct: object, partial: str, answer: str, score: float) -> None:
    tolerance = {"rel": 0.01} if ptype in ("vector", "matrix") else {}
    result = grade_part(part(ptype, correct, partial=partial, tolerance=tolerance), answer)
    assert result.score == pytest.approx(score)
    assert result.correct == (score == 1.0)


MULTIPLE = [
    (["batchnorm", "leaky-relu"], "per_option", 1.0),
    (["batchnorm"], "per_option", 0.5),
    (["batchnorm", "dropout"], "per_option", 0.0),
    (["batchnorm", "leaky-relu", "dropout"], "per_option", 0.5),
    (["batchnorm"], "none", 0.0),
    ("batchnorm, leaky-relu", "none", 1.0),
]


@pytest.mark.parametrize(("picked", "partial", "score"), MULTIPLE)
def test_multiple_choice_scoring(picked: object, partial: str, score: float) -> None:
    v = generate_variant(example("vanishing-gradient-sigmoid"), 0)
    p = v.parts[0]
    p.partial = partial
    assert grade_part(p, picked).score == pytest.approx(score)


def test_multiple_choice_rejects_unknown_or_missing_options_as_format_errors() -> None:
    p = generate_variant(example("vanishing-gradient-sigmoid"), 0).parts[0]
    assert "not one of the options" in (grade_part(p, ["batchnorm", "<script>"]).format_error or "")
    assert "at least one" in (grade_part(p, []).format_error or "")


def test_wrong_option_shows_that_options_feedback() -> None:
    p = generate_variant(example("vanishing-gradient-sigmoid"), 0).parts[0]
    assert "overfitting" in (grade_part(p, ["dropout"]).feedback or "")


@pytest.mark.parametrize(("mistake", "feedback"), [
    ("forgot_plus_one", "+1"),
    ("kept_input_channels", "number of filters"),
    ("no_padding", "forget the padding"),
])
def test_a_typed_mistake_gets_its_targeted_feedback(conv_spec, mistake: str, feedback: str) -> None:
    for seed in range(10):
        v = generate_variant(conv_spec, seed)
        shape = v.part("shape")
        if mistake not in shape.mistakes:
            continue
        typed = " x ".join(str(x) for x in shape.mistakes[mistake]["value"])
        result = grade_part(shape, typed)
        assert result.score < 1 and result.mistake is not None
        assert feedback in (result.feedback or "")  # two mistakes with one value: both feedbacks shown


def test_correct_answers_get_no_mistake_feedback(conv_spec) -> None:
    v = generate_variant(conv_spec, 4)
    result = grade_part(v.part("shape"), str(v.part("shape").correct))
    assert result == PartResult(score=1.0, correct=True, parsed=v.part("shape").correct)


def test_grade_variant_keeps_format_errors_apart_from_scores(conv_spec) -> None:
    v = generate_variant(conv_spec, 2)
    shape = v.part("shape").correct
    result = grade_variant(v, {"shape": f"{shape[0]}x{shape[1]}x{shape[2]}", "n_params": "1,216"})
    assert result["score"] == 6.0 and result["max_score"] == 10.0
    assert set(result["format_errors"]) == {"n_params"}
    assert "ambiguous" in result["format_errors"]["n_params"]
    assert result["parts"]["n_params"]["score"] == 0


def test_grade_variant_treats_missing_answers_as_format_errors(conv_spec) -> None:
    v = generate_variant(conv_spec, 2)
    result = grade_variant(v, {})
    assert result["score"] == 0 and set(result["format_errors"]) == {"shape", "n_params"}


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.none(), st.integers(), st.floats(), st.lists(st.text(max_size=5))))
def test_grading_never_raises_whatever_the_student_sends(raw: object) -> None:
    for ptype, correct in CORRECT.items():
        result = grade_part(part(ptype, correct, tolerance={"rel": 0.01}), raw)
        assert 0.0 <= result.score <= 1.0
        assert (result.format_error is None) or result.score == 0


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(min_value=1, max_value=6))
def test_the_correct_value_rounded_as_asked_always_gets_full_marks(x: float, decimals: int) -> None:
    p = part("numeric", x, tolerance={"decimals": decimals})
    assert grade_part(p, f"{x:.{decimals}f}").score == 1.0


def test_every_listed_mistake_scores_less_and_the_correct_answer_full_marks_over_many_seeds(conv_spec) -> None:
    from questions.answers import format_answer

    for seed in range(100):
        v = generate_variant(conv_spec, seed)
        for p in v.parts:
            assert grade_part(p, format_answer(p.type, p.correct)).score == 1.0
            for m in p.mistakes.values():
                assert grade_part(p, format_answer(p.type, m["value"])).score < 1.0


def test_validate_template_accepts_the_good_examples(conv_spec, conceptual_spec) -> None:
    assert validate_template(conv_spec, n_variants=100) == []
    assert validate_template(conceptual_spec, n_variants=20) == []


def test_validate_template_reports_a_broken_template() -> None:
    problems = validate_template(example("broken-template"), n_variants=20)
    assert len(problems) == 1
    assert "h > 100" in problems[0] and "line 9" in problems[0]


def test_validate_template_reports_a_decimals_tolerance_the_grader_cannot_meet() -> None:
    doc = {"slug": "x", "title": "x", "params": {"a": {"float": [0, 1], "decimals": 4}}, "text": "{{a}}",
           "answer": {"type": "numeric", "value": "a * 3"},
           "mistakes": {"never": {"value": "a * 3 + 1e-12", "feedback": "?"}}}
    problems = validate_template(doc, n_variants=5)
    assert any("gives the correct answer" in p for p in problems)


def test_validate_template_turns_a_load_error_of_a_dict_into_a_message() -> None:
    assert "slug" in validate_template({"title": "x", "text": "y", "answer": {"type": "integer", "value": "1"}})[0]


_LEAVES = st.one_of(st.integers(-3, 3), st.sampled_from([0.1, 0.10000000001, 1.0, -0.0, float("nan"), True, "a"]))
_VALUES = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2)), max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(_VALUES, _VALUES, st.sampled_from([{}, {"abs": 0.5}, {"rel": 0.01}, {"decimals": 2}, {"sigfigs": 1}]))
def test_all_match_is_values_match_equal_to_one(a: object, b: object, tolerance: dict[str, float]) -> None:
    from questions.answers import all_match, values_match

    assert all_match(a, b, tolerance) == (values_match(a, b, tolerance) == 1.0)
    assert all_match(a, a, tolerance) == (values_match(a, a, tolerance) == 1.0)
