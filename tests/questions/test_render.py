"""The fast renderer (Markdown and nh3 once per text) must give exactly what the reference pipeline gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questions.errors import ExpressionError
from questions.render import _plan, _render_reference, render_markdown

VALUES = ["plain", "<script>alert(1)</script>", "a & b", "\"q\" 'q'", "x\xa0y", "cr\r\nlf", "nul\x00", "\r",
          "*em* _u_ `c` [l](javascript:x)", "$x$", "\ue0000\ue001", "  padded  ", "", "<p>\ue0001\ue001</p>",
          "line\nbreak", "ctl\x07", "&amp;", "]]>"]
PIECES = ["{{s}}", "{{n}}", "{{n|fmt:.2f}}", "{{m|table}}", "{{matrix(m)}}", "{{column(v)}}", "{{n|latex}}",
          "{{table(t)}}", "$x = {{s}}$", "$${{matrix(m)}}$$", r"\({{n}}\)", r"\[{{v}}\]", "**", "*", "_", "`",
          "``", "\n", "\n\n", "- ", "1. ", "> ", "# ", "    ", "```\n", "| a | b |\n|---|---|\n| ", " | ", "[",
          "](", ")", "(http://x.org \"", "\"", "<", ">", "&", "&#xE000;", "\\", "!", "text", " ", "{{", "}}",
          "<b>", "\ue000", "\r\n"]


def _env(s: str) -> dict[str, Any]:
    return {"s": s, "n": 1.5e-7, "m": [[1, s], [2.5, 3]], "v": [1, 2], "t": [[s, "<b>"], ["&", 0.5]]}


@pytest.mark.parametrize("inline", [False, True])
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("text", [
    "Hello {{s}} and $x < {{s}}$ and **{{s}}**",
    "{{m|table}}",
    "Text\n\n{{table(t)}}\n\nmore {{s}}",
    "- item {{s}}\n- {{table(t)}}\n",
    "| a | b |\n|---|---|\n| {{s}} | $y={{n}}$ |\n",
    "[{{s}}](http://example.org \"{{s}}\") `{{s}}`",
    "```\n{{s}}\n{{table(t)}}\n```",
    "{{s}}",
])
def test_fast_rendering_equals_the_reference(text: str, value: str, inline: bool) -> None:
    env = _env(value)
    assert _outcome(render_markdown, text, env, inline) == _outcome(_render_reference, text, env, inline)


def _outcome(render: Any, text: str, env: dict[str, Any], inline: bool) -> Any:
    try:
        return render(text, env, inline=inline)
    except Exception as exc:  # noqa: BLE001 - the reference's own failures must be kept too
        return type(exc), getattr(exc, "message", None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from(VALUES), st.booleans())
def test_fast_rendering_equals_the_reference_for_any_text(pieces: list[str], value: str, inline: bool) -> None:
    text = "".join(pieces)
    env = _env(value)
    assert _outcome(render_markdown, text, env, inline) == _outcome(_render_reference, text, env, inline)


def test_errors_are_the_same_and_in_the_same_order() -> None:
    for text in ["{{1/0}} {{s|bogus}}", "{{s|bogus}} {{1/0}}", "$x={{m|table}}$", "{{n|fmt:.2q}}", "{{n|fmt:d}}",
                 "{{nope}} {{s}}", "{{table(n)}}", "$x = {{1/0}}$ {{s|bogus}}", "{{s|bogus}} $x = {{1/0}}$"]:
        ref = _outcome(_render_reference, text, _env("a"), False)
        assert isinstance(ref, tuple) and issubclass(ref[0], ExpressionError)
        assert _outcome(render_markdown, text, _env("a"), False) == ref


def test_ordinary_texts_take_the_fast_path() -> None:
    for text in ["Hello {{s}} and $x < {{s}}$", "Text\n\n{{table(t)}}\n\nmore", "- a {{s}}\n- b", "plain"]:
        assert _plan(text, False).pieces is not None
    assert _plan("Hello {{s}}", True).pieces is not None


def test_a_value_cannot_inject_markup() -> None:
    html = render_markdown("{{s}} $x={{s}}$ {{m|table}}", _env('<script>alert(1)</script><img src=x onerror="a">'))
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
