"""Markdown + LaTeX text with ``{{placeholders}}`` to sanitised HTML.

Pipeline: split off math (``$..$``, ``$$..$$``, ``\\(..\\)``, ``\\[..\\]``) so that
Markdown never touches LaTeX; fill placeholders (escaped for their context);
render Markdown with raw HTML disabled; put math and values back
HTML-escaped; finally clean everything with nh3. MathJax typesets the
delimiters in the browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt

from questions.errors import ExpressionError
from questions.expressions import Expression, compile_expression

__all__ = ["render_markdown", "render_inline", "format_value", "placeholders_in", "check_placeholders",
           "FORMAT_SPEC"]

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

PLACEHOLDER = re.compile(r"\{\{(.+?)\}\}", re.DOTALL)
_MATH = re.compile(
    r"\$\$(?P<dd>.+?)\$\$|\\\[(?P<bb>.+?)\\\]|\\\((?P<pp>.+?)\\\)|(?<![\\$])\$(?P<d>[^$\n]+?)(?<!\\)\$",
    re.DOTALL,
)
_DELIMS = {"dd": ("$$", "$$"), "bb": ("\\[", "\\]"), "pp": ("\\(", "\\)"), "d": ("$", "$")}
FORMAT_SPEC = re.compile(r"^[+ ]?[0-9]{0,2}(\.[0-9]{1,2})?[dfeEgG%]?$")
_HELPER = re.compile(r"^(matrix|bmatrix|table|column)\((.*)\)$", re.DOTALL)
_FILTERS = {"bmatrix", "matrix", "table", "column", "latex"}

_TAGS = {"p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a",
         "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "sub", "sup"}
_ATTRIBUTES = {"a": {"href", "title"}, "table": {"class"}, "span": {"class"}, "div": {"class"}, "code": {"class"},
               "ol": {"start"}}
_TOKEN = "\ue000{}\ue001"
_TOKEN_RE = re.compile("\ue000(\\d+)\ue001")


def _sanitise(text: str) -> str:
    return nh3.clean(text, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def format_value(value: Any, spec: str | None = None, *, latex: bool = False) -> str:
    """A parameter or answer as a student reads it (``spec`` is a Python format spec such as ``.3f``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return format(value, spec) if spec else str(value)
    if isinstance(value, float):
        if spec:
            text = format(value, spec)
        elif value.is_integer() and abs(value) < 1e15:
            text = str(int(value))
        else:
            text = format(value, ".10g")
        if latex and "e" in text:
            mantissa, _, exponent = text.partition("e")
            exp = int(exponent)
            text = rf"10^{{{exp}}}" if mantissa in ("1", "1.0") else rf"{mantissa} \times 10^{{{exp}}}"
        return text
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v, spec, latex=latex) for v in value) + "]"
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return str(value)


def _latex_text(value: str) -> str:
    escaped = re.sub(r"([\\{}$&#^_%~])", lambda m: {"\\": r"\backslash ", "~": r"\sim "}.get(m.group(1), "\\" + m.group(1)),
                     value)
    return rf"\text{{{escaped}}}"


def _grid(value: Any, what: str) -> list[list[Any]]:
    if isinstance(value, (list, tuple)) and value and all(isinstance(r, (list, tuple)) for r in value):
        return [list(r) for r in value]
    if isinstance(value, (list, tuple)):
        return [list(value)]
    raise ExpressionError(f"{what} needs a list or a matrix (list of rows), got {format_value(value)[:40]!r}")


def _latex_scalar(v: Any, spec: str | None) -> str:
    if isinstance(v, str):
        return _latex_text(v)
    return format_value(v, spec, latex=True)


def _bmatrix(value: Any, spec: str | None, *, column: bool = False) -> str:
    rows = _grid(value, "matrix()")
    if column:
        if len(rows) != 1:
            raise ExpressionError("column() needs a list of numbers")
        rows = [[v] for v in rows[0]]
    body = r" \\ ".join(" & ".join(_latex_scalar(v, spec) for v in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def _table(value: Any, spec: str | None) -> str:
    return _table_html([[format_value(v, spec) for v in row] for row in _grid(value, "table()")], html.escape)


def _table_html(cells: list[list[str]], escape: Callable[[str], str]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells)
    return f'<table class="dlq-grid"><tbody>{body}</tbody></table>'


class _Renderer:
    def __init__(self, env: Mapping[str, Any]) -> None:
        self.env = env
        self.tokens: list[str] = []
        self.block_tokens: set[int] = set()

    def token(self, html_text: str, *, block: bool = False) -> str:
        self.tokens.append(html_text)
        if block:
            self.block_tokens.add(len(self.tokens) - 1)
        return _TOKEN.format(len(self.tokens) - 1)

    def evaluate(self, inner: str) -> tuple[Any, str | None, str | None]:
        """Evaluate ``expr|filter|fmt:SPEC``; return (value, format spec, structural filter)."""
        return _evaluate(inner, self.env)

    def fill_math(self, math_text: str) -> str:
        return PLACEHOLDER.sub(lambda m: _math_value(m.group(1), self.env), math_text)

    def fill_text(self, text: str) -> str:
        def one(m: re.Match[str]) -> str:
            value, spec, shape = self.evaluate(m.group(1))
            if shape in ("bmatrix", "column"):
                return self.token(html.escape("$" + _bmatrix(value, spec, column=shape == "column") + "$"))
            if shape == "table":
                return "\n\n" + self.token(_table(value, spec), block=True) + "\n\n"
            if shape == "latex":
                return self.token(html.escape("$" + format_value(value, spec, latex=True) + "$"))
            return self.token(html.escape(format_value(value, spec)))

        return PLACEHOLDER.sub(one, text)

    def prepare(self, text: str) -> str:
        out: list[str] = []
        pos = 0
        for m in _MATH.finditer(text):
            out.append(self.fill_text(text[pos:m.start()]))
            kind = next(k for k, v in m.groupdict().items() if v is not None)
            left, right = _DELIMS[kind]
            out.append(self.token(html.escape(left + self.fill_math(m.group(kind)) + right)))
            pos = m.end()
        out.append(self.fill_text(text[pos:]))
        return "".join(out)

    def restore(self, rendered: str) -> str:
        for i in self.block_tokens:
            rendered = rendered.replace(f"<p>{_TOKEN.format(i)}</p>", self.tokens[i])
        return _TOKEN_RE.sub(lambda m: self.tokens[int(m.group(1))], rendered)


def _render_reference(text: str, env: Mapping[str, Any], *, inline: bool = False) -> str:
    """The straightforward pipeline (Markdown and nh3 on every call); :func:`render_markdown` must equal it."""
    text = text.replace("\ue000", "").replace("\ue001", "")
    renderer = _Renderer(env)
    prepared = renderer.prepare(text)
    rendered = _md.renderInline(prepared) if inline else _md.render(prepared)
    return _sanitise(renderer.restore(rendered)).strip()


# --- The fast path --------------------------------------------------------------------------------------------
#
# Every placeholder and every math span becomes a token before Markdown runs, so the Markdown source (and its
# HTML) does not depend on the values: it is rendered and sanitised once per text (``_plan``). Per variant only
# the placeholders are evaluated and their text, HTML-escaped, is put where the tokens are. That gives the same
# string as sanitising the whole page when (checked once per text) each token sits once, in text context, in the
# sanitised skeleton, and (checked per value) the inserted text has no character the HTML parser rewrites
# (NUL, CR, controls, surrogates) and no token character: nh3 then serialises inserted text exactly as
# ``_text_html`` does. Anything else takes the reference pipeline (same result, only slower).

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000\ue001]")


def _text_html(s: str) -> str:
    """Text as html5ever (nh3) serialises a text node."""
    return s.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=4096)
def _parse_placeholder(inner: str) -> tuple[Expression, str | None, str | None]:
    """``expr|filter|fmt:SPEC`` -> (compiled expression, format spec, structural filter); raises if malformed."""
    inner = inner.strip()
    helper = _HELPER.match(inner)
    pieces = [p.strip() for p in inner.split("|")] if not helper else [helper.group(2), helper.group(1)]
    expr, filters = pieces[0], pieces[1:]
    spec: str | None = None
    shape: str | None = None
    for f in filters:
        if f.startswith("fmt:"):
            spec = f[4:].strip()
            if not FORMAT_SPEC.match(spec):
                raise ExpressionError(f"bad number format '{spec}' (examples: .3f, .2e, .4g, d)")
        elif f in _FILTERS:
            shape = "bmatrix" if f == "matrix" else f
        else:
            raise ExpressionError(f"unknown filter '{f}' (use fmt:.3f, matrix, column, table, latex)")
    return compile_expression(expr), spec, shape


def _evaluate(inner: str, env: Mapping[str, Any]) -> tuple[Any, str | None, str | None]:
    expr, spec, shape = _parse_placeholder(inner)
    value = expr.evaluate(env)
    if spec:
        try:
            format_value(value, spec)
        except (ValueError, TypeError):
            raise ExpressionError(f"format '{spec}' does not apply to {format_value(value)[:40]!r}") from None
    return value, spec, shape


class _Plan:
    """One text, prepared once: its tokens (``slots``, in evaluation order) and its rendered skeletons."""

    __slots__ = ("slots", "block", "rendered", "pieces")

    def __init__(self) -> None:
        #: ("text", inner, shape) or ("math", left, right, [literal, inner, literal, ...])
        self.slots: list[tuple[Any, ...]] = []
        self.block: list[int] = []
        self.rendered: str | None = None  # Markdown output with the tokens (None: use the reference pipeline)
        #: sanitised skeleton split at the tokens: [literal, index, literal, index, ..., literal], or None
        self.pieces: list[Any] | None = None


def _in_text(html_text: str, pos: int) -> bool:
    return html_text.rfind("<", 0, pos) <= html_text.rfind(">", 0, pos)


def _skeleton(plan: _Plan) -> list[Any] | None:
    assert plan.rendered is not None
    skeleton = plan.rendered
    n = len(plan.slots)
    for i in plan.block:
        if skeleton.count(f"<p>{_TOKEN.format(i)}</p>") != 1:
            return None
        skeleton = skeleton.replace(f"<p>{_TOKEN.format(i)}</p>", _TOKEN.format(i))
    for html_text in (skeleton, clean := _sanitise(skeleton)):
        found = [(m.start(), int(m.group(1))) for m in _TOKEN_RE.finditer(html_text)]
        if sorted(i for _, i in found) != list(range(n)) or not all(_in_text(html_text, p) for p, _ in found):
            return None
    pieces: list[Any] = _TOKEN_RE.split(clean)
    for k in range(1, len(pieces), 2):
        pieces[k] = int(pieces[k])
    return pieces


@lru_cache(maxsize=4096)
def _plan(text: str, inline: bool) -> _Plan:
    text = text.replace("\ue000", "").replace("\ue001", "")
    plan = _Plan()
    parsed = True

    def check(inner: str) -> str | None:
        nonlocal parsed
        try:
            return _parse_placeholder(inner)[2]
        except ExpressionError:
            parsed = False
            return None

    def fill_text(segment: str) -> str:
        def one(m: re.Match[str]) -> str:
            shape = check(m.group(1))
            plan.slots.append(("text", m.group(1), shape))
            token = _TOKEN.format(len(plan.slots) - 1)
            if shape == "table":
                plan.block.append(len(plan.slots) - 1)
                return "\n\n" + token + "\n\n"
            return token

        return PLACEHOLDER.sub(one, segment)

    out: list[str] = []
    pos = 0
    for m in _MATH.finditer(text):
        out.append(fill_text(text[pos:m.start()]))
        kind = next(k for k, v in m.groupdict().items() if v is not None)
        left, right = _DELIMS[kind]
        body = m.group(kind)
        parts: list[str] = []
        start = 0
        for pm in PLACEHOLDER.finditer(body):
            check(pm.group(1))
            parts += [body[start:pm.start()], pm.group(1)]
            start = pm.end()
        parts.append(body[start:])
        plan.slots.append(("math", left, right, parts))
        out.append(_TOKEN.format(len(plan.slots) - 1))
        pos = m.end()
    out.append(fill_text(text[pos:]))
    if parsed:  # else rendering raises at the malformed placeholder: leave it to the reference pipeline
        prepared = "".join(out)
        plan.rendered = _md.renderInline(prepared) if inline else _md.render(prepared)
        plan.pieces = _skeleton(plan)
    return plan


def _math_value(inner: str, env: Mapping[str, Any]) -> str:
    value, spec, shape = _evaluate(inner, env)
    if shape in ("bmatrix", "column"):
        return _bmatrix(value, spec, column=shape == "column")
    if shape == "table":
        raise ExpressionError("table() cannot be used inside $...$ math; use matrix()")
    if isinstance(value, str):
        return _latex_text(value)
    return format_value(value, spec, latex=True)


def render_markdown(text: str, env: Mapping[str, Any], *, inline: bool = False) -> str:
    """Render template text for one variant; raise :class:`TemplateError` on a bad placeholder."""
    plan = _plan(text, inline)
    if plan.rendered is None:
        return _render_reference(text, env, inline=inline)
    # Each token's content: a string (text, inserted escaped) or a table (rows of cell strings).
    values: list[str | list[list[str]]] = []
    safe = True
    for slot in plan.slots:
        if slot[0] == "math":
            _, left, right, parts = slot
            pieces_ = [left, parts[0]]
            for k in range(1, len(parts), 2):
                pieces_ += (_math_value(parts[k], env), parts[k + 1])
            pieces_.append(right)
            s = "".join(pieces_)
        else:
            value, spec, shape = _evaluate(slot[1], env)
            if shape == "table":
                cells = [[format_value(v, spec) for v in row] for row in _grid(value, "table()")]
                safe = safe and not any(_UNSAFE.search(c) for row in cells for c in row)
                values.append(cells)
                continue
            if shape in ("bmatrix", "column"):
                s = "$" + _bmatrix(value, spec, column=shape == "column") + "$"
            elif shape == "latex":
                s = "$" + format_value(value, spec, latex=True) + "$"
            else:
                s = format_value(value, spec)
        safe = safe and not _UNSAFE.search(s)
        values.append(s)
    if plan.pieces is not None and safe:
        pieces = plan.pieces
        out = [pieces[0]]
        for k in range(1, len(pieces), 2):
            v = values[pieces[k]]
            out.append(_text_html(v) if isinstance(v, str) else _table_html(v, _text_html))
            out.append(pieces[k + 1])
        return "".join(out).strip()
    tokens = [html.escape(v) if isinstance(v, str) else _table_html(v, html.escape) for v in values]
    rendered = plan.rendered
    for i in plan.block:
        rendered = rendered.replace(f"<p>{_TOKEN.format(i)}</p>", tokens[i])
    rendered = _TOKEN_RE.sub(lambda m: tokens[int(m.group(1))], rendered)
    return _sanitise(rendered).strip()


def render_inline(text: str, env: Mapping[str, Any]) -> str:
    return render_markdown(text, env, inline=True)


def placeholders_in(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]


def check_placeholders(text: str) -> None:
    """Compile every placeholder expression (without evaluating); raise on a forbidden one."""
    for inner in placeholders_in(text):
        inner = inner.strip()
        helper = _HELPER.match(inner)
        compile_expression(helper.group(2) if helper else inner.split("|")[0])

