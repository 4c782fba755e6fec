"""Loading templates: schema, static checks, line numbers, YAML safety, round trip."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pytest

from questions import TemplateError, load_template, schema, template_from_dict
from tests.questions.conftest import EXAMPLES

MINIMAL = """\
slug: add-two
title: Adding
params:
  a: {int: [1, 9]}
  b: {int: [1, 9]}
text: What is {{a}} + {{b}}?
answer: {type: integer, value: "a + b"}
"""


def test_published_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads((Path("questions") / "template.schema.json").read_text()))
    assert schema()["title"] == "dlquiz question template"


def test_example_templates_load_and_expose_their_metadata(conv_spec) -> None:
    assert conv_spec.slug == "conv-output-size"
    assert conv_spec.topic == ["cnn", "shapes"]
    assert conv_spec.difficulty == "easy"
    assert conv_spec.points == 10
    assert [p.key for p in conv_spec.parts] == ["shape", "n_params"]
    assert [p.points for p in conv_spec.parts] == [6, 4]


def test_to_yaml_round_trips_the_document_losslessly(conv_spec) -> None:
    again = load_template(conv_spec.to_yaml())
    assert again.raw == conv_spec.raw
    assert "# The STYLE.md sketch" in conv_spec.to_yaml()  # comments kept
    built = template_from_dict(conv_spec.raw)
    assert load_template(built.to_yaml()).raw == conv_spec.raw


def test_a_single_topic_string_becomes_a_list_and_points_default_to_one() -> None:
    spec = load_template(MINIMAL.replace("title: Adding", "title: Adding\ntopic: arithmetic"))
    assert spec.topic == ["arithmetic"]
    assert spec.points == 1.0


def test_template_points_are_split_evenly_between_parts_without_points() -> None:
    text = MINIMAL.replace("answer: {type: integer, value: \"a + b\"}", "points: 6\nparts:\n"
                           "  - {key: s, type: integer, value: 'a + b'}\n  - {key: d, type: integer, value: 'a - b'}\n")
    assert [p.points for p in load_template(text).parts] == [3, 3]


BROKEN = [
    # (replace this, with that, message fragment, line)
    ("slug: add-two", "slug: Add Two", "does not match", 1),
    ("title: Adding", "title: Adding\ncolour: red", "colour", None),
    ("  a: {int: [1, 9]}", "  a: {int: [1, 9], choice: [1]}", "exactly one", 4),
    ("  a: {int: [1, 9]}", "  a: {integer: [1, 9]}", "integer", 4),
    ("value: \"a + b\"", "value: \"a + c\"", "unknown name 'c'", 7),
    ("value: \"a + b\"", "value: \"a.real\"", "attribute", 7),
    ("value: \"a + b\"", "value: \"__import__('os')\"", "not allowed", 7),
    ("{{a}} + {{b}}", "{{a.__class__}}", "attribute", 6),
    ("answer: {type: integer, value: \"a + b\"}", "answer: {type: integer}", "needs a solver", 7),
    ("answer: {type: integer, value: \"a + b\"}", "answer: {type: integer, solver: nope}", "Unknown solver", 7),
    ("answer: {type: integer, value: \"a + b\"}",
     "solver: conv2d_param_count\nsolver_params: {in_channels: a, out_channels: b, kernal: 3}\nanswer: {type: integer}",
     "no parameter 'kernal'", 8),
    ("answer: {type: integer, value: \"a + b\"}",
     "solver: conv2d_param_count\nsolver_params: {in_channels: a, out_channels: b, kernel: 3}\nanswer: {type: integer}\n"
     "mistakes:\n  forgot_the_bias: {feedback: x}", "not a mistake of solver", 11),
    ("answer: {type: integer, value: \"a + b\"}", "answer: {type: integer, value: 'a', tolerance: {rel: 2}}",
     "greater than the maximum", 7),
    ("answer: {type: integer, value: \"a + b\"}", "answer: {type: vector, value: '[a]', partial: per_axis}",
     "per_axis", 7),
]


@pytest.mark.parametrize(("old", "new", "message", "line"), BROKEN)
def test_broken_templates_are_rejected_naming_the_field_and_line(old: str, new: str, message: str, line: int | None) -> None:
    text = MINIMAL.replace(old, new)
    assert text != MINIMAL
    with pytest.raises(TemplateError) as info:
        load_template(text)
    assert message in str(info.value)
    if line is not None:
        assert info.value.line == line, str(info.value)


def test_choice_parts_check_their_correct_ids() -> None:
    text = """\
slug: pick
title: Pick
text: Pick one.
answer:
  type: single_choice
  options: [{id: a, text: A}, {id: b, text: B}]
  correct: c
"""
    with pytest.raises(TemplateError, match="'c', which is not an option id") as info:
        load_template(text)
    assert info.value.line == 7


YAML_ATTACKS = [
    ("billion laughs", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                       "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n", "expands"),
    ("many aliases", "a: &a 1\nb: [" + ", ".join(["*a"] * 500) + "]\n", "aliases"),
    ("recursive anchor", "a: &a [*a]\n", "recursive"),
    ("python object tag", "slug: !!python/object/apply:os.system ['echo hi']\n", "constructor"),
    ("huge document", "text: '" + "x" * 70_000 + "'\n", "larger than"),
    ("deep nesting", "a: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("duplicate key", "slug: a\nslug: b\n", "appears twice"),
    ("not a mapping", "- 1\n- 2\n", "mapping"),
    ("invalid yaml", "a: [1, 2\n", "invalid YAML"),
]


@pytest.mark.parametrize(("name", "text", "message"), YAML_ATTACKS, ids=[a[0] for a in YAML_ATTACKS])
def test_hostile_yaml_is_rejected_quickly(name: str, text: str, message: str) -> None:
    start = time.perf_counter()
    with pytest.raises(TemplateError, match=message):
        load_template(text)
    assert time.perf_counter() - start < 1.0


def test_every_example_except_the_broken_one_is_valid() -> None:
    from questions import validate_template

    for path in sorted(EXAMPLES.glob("*.yaml")):
        spec = load_template(path.read_text(), source=path.name)
        problems = validate_template(spec, n_variants=30)
        if path.stem.startswith("broken"):
            assert problems
        else:
            assert problems == [], problems


def test_a_placeholder_in_a_part_label_is_refused_with_its_line() -> None:
    text = "slug: x\ntitle: X\nparams: {n: {int: [1, 3]}}\ntext: hi\nanswer:\n  type: integer\n  value: n\n  label: 'n = {{n}}'\n"
    with pytest.raises(TemplateError, match="label is fixed text") as info:
        load_template(text)
    assert info.value.line == 8
