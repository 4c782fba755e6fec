"""Generating variants: determinism, JSON round trip, constraints, mistakes, choices, safety of the page."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcore
from questions import TemplateError, Variant, generate_variant, grade_variant, load_template
from tests.questions.conftest import example


def test_same_seed_gives_the_identical_variant(conv_spec) -> None:
    assert generate_variant(conv_spec, 42).to_dict() == generate_variant(conv_spec, 42).to_dict()


def test_second_student_gets_other_numbers(conv_spec) -> None:
    params = {json.dumps(generate_variant(conv_spec, seed).params, sort_keys=True) for seed in range(20)}
    assert len(params) >= 15


def test_generation_does_not_touch_or_depend_on_global_random_state(conv_spec) -> None:
    import random

    import numpy as np

    np.random.seed(1)
    random.seed(1)
    first = generate_variant(conv_spec, 5).to_dict()
    np.random.seed(2)
    random.seed(2)
    state = np.random.get_state()[1].copy()
    assert generate_variant(conv_spec, 5).to_dict() == first
    assert (np.random.get_state()[1] == state).all()


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=-2**70, max_value=2**70))
def test_any_integer_seed_gives_a_variant_that_survives_a_json_round_trip(seed: int) -> None:
    spec = example("conv-output-size")
    v = generate_variant(spec, seed)
    again = Variant.from_dict(json.loads(json.dumps(v.to_dict(), allow_nan=False)))
    assert again == v
    assert json.loads(json.dumps(v.params)) == v.params


def test_answers_and_steps_come_from_dlcore_for_this_variants_numbers(conv_spec) -> None:
    v = generate_variant(conv_spec, 3)
    p = v.params
    shape = dlcore.solve("conv2d_output_shape", {"in_channels": p["c_in"], "height": p["h"], "width": p["h"],
                                                 "out_channels": p["n"], "kernel": p["k"], "stride": p["s"],
                                                 "padding": p["p"]})
    count = dlcore.solve("conv2d_param_count", {"in_channels": p["c_in"], "out_channels": p["n"], "kernel": p["k"]})
    assert v.part("shape").correct == shape.answer
    assert v.part("n_params").correct == count.answer
    assert v.steps == [s.to_dict() for s in shape.steps + count.steps]
    assert (p["h"] + 2 * p["p"] - p["k"]) % p["s"] == 0  # the constraint holds


def test_mistake_values_never_equal_the_correct_answer(conv_spec) -> None:
    for seed in range(100):
        v = generate_variant(conv_spec, seed)
        for part in v.parts:
            for m in part.mistakes.values():
                assert m["value"] != part.correct


def test_unsatisfiable_constraints_raise_naming_the_constraint_that_failed_most() -> None:
    spec = example("broken-template")
    with pytest.raises(TemplateError) as info:
        generate_variant(spec, 0)
    assert "h > 100" in str(info.value)
    assert info.value.path == "constraints.0"
    assert info.value.line == 9


def test_a_mistake_that_always_equals_the_answer_makes_generation_fail_with_a_clear_reason() -> None:
    text = """\
slug: same
title: Same
params: {a: {int: [1, 5]}}
text: "{{a}}"
answer: {type: integer, value: "a * 2"}
mistakes:
  doubled: {value: "a + a", feedback: "never happens"}
"""
    with pytest.raises(TemplateError, match="mistake 'doubled' of part 'answer' gives the correct answer"):
        generate_variant(load_template(text), 0)


def test_redrawn_variants_avoid_mistakes_that_collide_only_sometimes() -> None:
    text = """\
slug: sometimes
title: Sometimes
params: {a: {int: [0, 3]}}
text: "{{a}}"
answer: {type: integer, value: "a * a"}
mistakes:
  doubled: {value: "a + a", feedback: "squared, not doubled"}
"""
    spec = load_template(text)
    for seed in range(50):
        assert generate_variant(spec, seed).params["a"] in (1, 3)  # a = 0 and a = 2 collide


def test_params_of_every_kind_are_sampled_within_their_ranges() -> None:
    text = """\
slug: kinds
title: All kinds
params:
  n: {int: [2, 20], step: 2}
  lr: {float: [0.01, 0.5], decimals: 3}
  act: {choice: [relu, tanh]}
  x: {vector: {length: 4, float: [-1, 1], decimals: 1}}
  W: {matrix: {shape: [2, 3], int: [-2, 2], nonzero: true}}
  m: {int: [1, n]}
  total: {derived: "n + m"}
  fixed: {value: [[1, 0], [0, 1]]}
text: "{{n}} {{lr}} {{act}} {{x}} {{matrix(W)}} {{table(fixed)}} {{total}}"
answer: {type: numeric, value: "lr * total"}
"""
    spec = load_template(text)
    for seed in range(50):
        p = generate_variant(spec, seed).params
        assert p["n"] % 2 == 0 and 2 <= p["n"] <= 20
        assert 0.01 <= p["lr"] <= 0.5 and round(p["lr"], 3) == p["lr"]
        assert p["act"] in ("relu", "tanh")
        assert len(p["x"]) == 4 and all(-1 <= v <= 1 and round(v, 1) == v for v in p["x"])
        assert len(p["W"]) == 2 and all(len(r) == 3 and 0 not in r for r in p["W"])
        assert 1 <= p["m"] <= p["n"] and p["total"] == p["n"] + p["m"]


def test_select_picks_part_of_a_structured_answer() -> None:
    text = """\
slug: sel
title: Select
params: {h: {int: [8, 16]}}
solver: conv2d_output_shape
solver_params: {in_channels: 3, height: h, width: h, out_channels: 4, kernel: 3}
text: "{{h}}"
parts:
  - {key: height, type: integer, select: "1"}
  - {key: channels, type: integer, select: "-3"}
"""
    v = generate_variant(load_template(text), 1)
    assert v.part("height").correct == v.params["h"] - 2
    assert v.part("channels").correct == 4


def test_a_select_path_missing_from_the_answer_is_a_template_error() -> None:
    text = """\
slug: sel
title: Select
params: {h: {int: [8, 16]}}
solver: conv2d_output_shape
solver_params: {in_channels: 3, height: h, width: h, out_channels: 4, kernel: 3}
text: "{{h}}"
answer: {type: integer, select: "theta"}
"""
    with pytest.raises(TemplateError, match="no 'theta' in the answer"):
        generate_variant(load_template(text), 1)


def test_conceptual_options_are_shuffled_per_student_but_stable_per_seed(conceptual_spec) -> None:
    orders = {tuple(c["id"] for c in generate_variant(conceptual_spec, seed).parts[0].choices) for seed in range(30)}
    assert len(orders) > 5
    v = generate_variant(conceptual_spec, 7)
    assert v.parts[0].choices == generate_variant(conceptual_spec, 7).parts[0].choices
    assert sorted(v.parts[0].correct) == ["batchnorm", "leaky-relu"]


def test_distractors_from_mistakes_build_a_single_choice_question_with_distinct_options() -> None:
    text = """\
slug: conv-params-choice
title: Parameter count
params:
  c_in: {choice: [1, 3]}
  n: {choice: [8, 16, 32]}
  k: {choice: [3, 5, 7]}
solver: conv2d_param_count
solver_params: {in_channels: c_in, out_channels: n, kernel: k}
text: How many parameters?
answer:
  type: single_choice
  distractors_from_mistakes: true
  distractors: ["n * k * k"]
mistakes:
  forgot_bias: {feedback: "Each filter has a bias."}
  forgot_input_channels: {feedback: "Each filter spans all input channels."}
"""
    spec = load_template(text)
    positions = set()
    for seed in range(40):
        v = generate_variant(spec, seed)
        part = v.parts[0]
        htmls = [c["html"] for c in part.choices]
        assert len(set(htmls)) == len(htmls) >= 2
        correct_html = next(c["html"] for c in part.choices if c["id"] == part.correct)
        assert correct_html == str(dlcore.solve("conv2d_param_count", {
            "in_channels": v.params["c_in"], "out_channels": v.params["n"], "kernel": v.params["k"]}).answer)
        positions.add(part.correct)
        wrong = part.mistakes["forgot_bias"]["choice"]
        result = grade_variant(v, {"answer": wrong})
        assert result["score"] == 0 and result["parts"]["answer"]["mistake"] == "forgot_bias"
        assert result["parts"]["answer"]["feedback"] == "Each filter has a bias."
    assert len(positions) >= 3  # the correct option moves around


def test_public_dict_never_contains_answers_steps_mistakes_or_explanations(conv_spec) -> None:
    for seed in range(30):
        v = generate_variant(conv_spec, seed)
        public = json.dumps(v.public_dict())
        for word in ("correct", "mistake", "steps", "explanation", "tolerance", "feedback", "seed", "params"):
            assert f'"{word}' not in public
        assert json.dumps(v.part("shape").correct) not in public
        count = str(v.part("n_params").correct)
        if count not in v.text_html:
            assert count not in public
        for step in v.steps:
            if "=" in step["latex"]:
                assert step["latex"] not in public


def test_public_dict_of_a_choice_question_has_the_options_but_not_which_is_right(conceptual_spec) -> None:
    v = generate_variant(conceptual_spec, 1)
    public = v.public_dict()
    assert {c["id"] for c in public["parts"][0]["choices"]} == {c["id"] for c in v.parts[0].choices}
    assert "correct" not in json.dumps(public) and "feedback" not in json.dumps(public)
    assert "Batch normalization keeps" not in json.dumps(public)


INJECTIONS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=https://evil.example></iframe>",
    "<div onclick=\"alert(1)\">x</div>",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_template_text_cannot_inject_script_into_the_students_page(payload: str) -> None:
    doc = {"slug": "inject", "title": "Inject", "params": {"name": {"choice": [payload]}},
           "text": f"Hello {payload} and {{{{name}}}} and $x < {{{{name}}}}$",
           "answer": {"type": "single_choice", "options": [{"id": "a", "text": payload}, {"id": "b", "text": "ok"}],
                      "correct": "b"}}
    from questions import template_from_dict

    v = generate_variant(template_from_dict(doc), 0)
    for html in [v.text_html] + [c["html"] for c in v.parts[0].choices]:
        tags = _tags(html)
        assert {t for t, _ in tags} <= {"p", "a", "em", "strong", "code"}
        for _, attrs in tags:
            assert all(not name.startswith("on") for name, _ in attrs)
            assert all(not (value or "").lower().startswith("javascript:") for _, value in attrs)


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def test_mathjax_delimiters_and_latex_survive_rendering() -> None:
    text = r"""
slug: latex
title: LaTeX
params: {W: {value: [[1, 2], [3, 4]]}, x: {value: 0.000001}, a_b: {value: 2}}
text: |
  Inline $\frac{a_1}{b_2} < {{a_b}}$, display $$W = {{matrix(W)}}$$ and \(x_i\) and {{x}}, {{x|latex}}, {{a_b|fmt:.2f}}.
  Emphasis *stays* markdown and a_b_c stays text.
answer: {type: integer, value: "a_b"}
"""
    html = generate_variant(load_template(text), 0).text_html
    assert r"$\frac{a_1}{b_2} &lt; 2$" in html
    assert r"$$W = \begin{bmatrix} 1 &amp; 2 \\ 3 &amp; 4 \end{bmatrix}$$" in html
    assert r"\(x_i\)" in html
    assert "1e-06" in html and r"$10^{-6}$" in html and "2.00" in html
    assert "<em>stays</em>" in html


@pytest.mark.parametrize("data", [
    {"float": [-1, 1], "decimals": 1, "nonzero": True},
    {"float": [-0.04, 0.04], "decimals": 1, "nonzero": True},  # mostly zeros: many redraws
    {"float": [-0.5, 0.5]},
    {"float": [0, 1], "decimals": 0},
    {"int": [-2, 2], "nonzero": True},
    {"int": [0, 20]},
])
def test_prepared_element_sampler_draws_as_the_generic_one(data: dict[str, object]) -> None:
    import numpy as np

    from questions.variants import _elements, _fast_elements

    spec = load_template("slug: s\ntitle: t\ntext: x\nanswer: {type: numeric, value: '1'}\n")
    fast = _fast_elements(spec, data, 7)
    assert fast is not None
    for seed in range(40):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        got, want = fast(a), _elements(spec, data, 7, b, {}, "")
        assert got == want and [type(v) for v in got] == [type(v) for v in want]
        assert [str(v) for v in got] == [str(v) for v in want]  # no -0.0 either side
        assert a.integers(1 << 30) == b.integers(1 << 30)  # the same random calls were made
