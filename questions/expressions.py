"""A small, allow-listed expression language for templates.

Expressions are parsed with :func:`ast.parse` in ``eval`` mode and walked by
:class:`_Evaluator`, which understands only: numbers, strings, lists and
tuples, arithmetic ``+ - * / // % **``, unary ``+ - not``, comparisons
(chained, ``in``), ``and``/``or``, ``a if c else b``, indexing and slicing,
parameter names and calls to the functions in :data:`FUNCTIONS`.
Python's own evaluator is never used. Every size that could grow without
bound (expression length, AST depth and node count, integers, powers,
repetitions, ranges, lists, strings) is checked *before* the work is done.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from questions.errors import EvaluationFailure, ExpressionError

__all__ = ["compile_expression", "evaluate", "Expression", "FUNCTIONS", "CONSTANTS", "names_in",
           "MAX_EXPRESSION_LENGTH"]

MAX_EXPRESSION_LENGTH = 2000
MAX_NODES = 400
MAX_DEPTH = 40
MAX_INT_BITS = 256          # |ints| < 2**256: plenty for shapes and counts
MAX_SEQUENCE = 10_000       # elements of a list / characters of a string
MAX_EXPONENT = 512

Number = int | float


def _fail(msg: str) -> ExpressionError:
    return ExpressionError(msg)


def _check_value(value: Any) -> Any:
    """Bound the size of every intermediate value."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise _fail("an integer in the expression is too large (more than 2**256)")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EvaluationFailure("the expression produced an infinite or undefined number")
        return value
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_SEQUENCE:
        raise _fail(f"a string or list in the expression is longer than {MAX_SEQUENCE}")
    return value


def _num(name: str, x: Any) -> Number:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise _fail(f"{name}() needs a number, got {_kind(x)}")
    return x


def _kind(x: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", tuple: "a list", dict: "a mapping"}.get(type(x), type(x).__name__)


def _call(name: str, function: Callable[..., Any], values: list[Any]) -> Any:
    """An allow-listed function applied to evaluated arguments, with the evaluator's messages."""
    try:
        return _check_value(function(*values))
    except (ExpressionError, EvaluationFailure):
        raise
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise EvaluationFailure(f"{name}() failed: {exc}") from None
    except TypeError:
        raise _fail(f"wrong arguments for {name}()") from None


def _slice(container: Any, parts: list[Any]) -> Any:
    """``container[a:b:c]`` with the evaluator's checks and messages."""
    if any(p is not None and (isinstance(p, bool) or not isinstance(p, int)) for p in parts):
        raise _fail("slice bounds must be whole numbers")
    if not isinstance(container, (list, tuple, str)):
        raise _fail(f"cannot slice {_kind(container)}")
    if parts[2] == 0:
        raise _fail("slice step cannot be zero")
    return container[slice(*parts)]


def _index(container: Any, index: Any) -> Any:
    """``container[index]`` (list, string or mapping) with the evaluator's checks and messages."""
    if isinstance(container, dict):
        if not isinstance(index, str) or index not in container:
            raise EvaluationFailure(f"no key {index!r}")
        return container[index]
    if not isinstance(container, (list, tuple, str)):
        raise _fail(f"cannot index {_kind(container)}")
    if isinstance(index, bool) or not isinstance(index, int):
        raise _fail("list indices must be whole numbers")
    try:
        return container[index]
    except IndexError:
        raise EvaluationFailure(f"index {index} is out of range (length {len(container)})") from None


def _seq(name: str, xs: Any) -> list[Any]:
    if not isinstance(xs, (list, tuple)):
        raise _fail(f"{name}() needs a list, got {_kind(xs)}")
    return list(xs)


def _min(*args: Any) -> Any:
    items = _seq("min", args[0]) if len(args) == 1 else list(args)
    if not items:
        raise EvaluationFailure("min() of an empty list")
    return min(items)


def _max(*args: Any) -> Any:
    items = _seq("max", args[0]) if len(args) == 1 else list(args)
    if not items:
        raise EvaluationFailure("max() of an empty list")
    return max(items)


def _sum(xs: Any) -> Any:
    total: Any = 0
    for x in _seq("sum", xs):
        total = _binop(ast.Add(), total, x)
    return total


def _round(x: Any, ndigits: Any = None) -> Number:
    _num("round", x)
    if ndigits is None:
        return round(x)
    if isinstance(ndigits, bool) or not isinstance(ndigits, int) or not -20 <= ndigits <= 20:
        raise _fail("round(x, n) needs a whole number n between -20 and 20")
    return round(x, ndigits)


def _read_number(kind: str, x: Any, convert: Callable[[Any], Any]) -> Any:
    """int(x) / float(x) of a short string or of a number, with the evaluator's messages."""
    if isinstance(x, str):
        if len(x) > 40:
            raise _fail(f"{kind}() of a string longer than 40 characters")
        try:
            return convert(x.strip())
        except ValueError:
            raise EvaluationFailure(f"{kind}() cannot read {x!r}") from None
    return convert(_num(kind, x))


def _int(x: Any) -> int:
    return int(_read_number("int", x, int))


def _float(x: Any) -> float:
    return float(_read_number("float", x, float))


def _str(x: Any) -> str:
    if isinstance(x, (list, tuple, dict)):
        raise _fail("str() takes a number or a string")
    return str(x)


def _log(x: Any, base: Any = None) -> float:
    _num("log", x)
    if base is None:
        return math.log(x)
    return math.log(x, _num("log", base))


def _range(*args: Any) -> list[int]:
    if not 1 <= len(args) <= 3 or any(isinstance(a, bool) or not isinstance(a, int) for a in args):
        raise _fail("range() takes one to three whole numbers")
    r = range(*args)
    if len(r) > MAX_SEQUENCE:
        raise _fail(f"range() of more than {MAX_SEQUENCE} numbers")
    return list(r)


def _len(x: Any) -> int:
    if not isinstance(x, (list, tuple, str, dict)):
        raise _fail(f"len() needs a list or a string, got {_kind(x)}")
    return len(x)


def _unary_math(name: str, fn: Callable[[float], Any]) -> Callable[[Any], Any]:
    def wrapped(x: Any) -> Any:
        return fn(_num(name, x))

    return wrapped


#: The only callables an expression can reach.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": _min, "max": _max, "abs": _unary_math("abs", abs),
    "floor": _unary_math("floor", math.floor), "ceil": _unary_math("ceil", math.ceil),
    "round": _round, "sqrt": _unary_math("sqrt", math.sqrt), "log": _log,
    "exp": _unary_math("exp", math.exp), "len": _len, "int": _int, "float": _float,
    "sum": _sum, "str": _str, "range": _range,
}
CONSTANTS: dict[str, Any] = {"pi": math.pi, "e": math.e, "true": True, "false": False}

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_CMPOPS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_ALLOWED_NODES = (
    ast.Expression, ast.Constant, ast.List, ast.Tuple, ast.BinOp, ast.UnaryOp, ast.BoolOp,
    ast.Compare, ast.IfExp, ast.Subscript, ast.Slice, ast.Name, ast.Call, ast.Load,
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
    *_BINOPS, *_CMPOPS,
)
_DESCRIBE = {
    ast.Attribute: "attribute access ('.')", ast.Lambda: "lambda", ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions", ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "f-strings", ast.FormattedValue: "f-strings", ast.NamedExpr: "':=' (walrus)",
    ast.Dict: "dict literals", ast.Set: "set literals", ast.Starred: "'*' unpacking",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
    ast.BitAnd: "'&'", ast.BitOr: "'|'", ast.BitXor: "'^' (use ** for powers)",
    ast.LShift: "'<<'", ast.RShift: "'>>'", ast.Invert: "'~'", ast.MatMult: "'@'",
    ast.Is: "'is' (use ==)", ast.IsNot: "'is not' (use !=)",
}


def _binop(op: ast.operator, a: Any, b: Any) -> Any:
    """Apply a binary operator after checking that the result stays small."""
    if isinstance(op, ast.Pow):
        _num("'**'", a)
        _num("'**'", b)
        if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool):
            if b > MAX_EXPONENT or (abs(a) > 1 and b * math.log2(abs(a)) > MAX_INT_BITS):
                raise _fail("a power in the expression is too large")
        elif abs(b) > 10_000:
            raise _fail("a power in the expression is too large")
    elif isinstance(op, ast.Mult):
        for seq, n in ((a, b), (b, a)):
            if isinstance(seq, (str, list, tuple)):
                if isinstance(n, bool) or not isinstance(n, int):
                    raise _fail(f"cannot multiply {_kind(seq)} by {_kind(n)}")
                if len(seq) * max(n, 0) > MAX_SEQUENCE:
                    raise _fail(f"repeating {_kind(seq)} would make more than {MAX_SEQUENCE} elements")
    elif isinstance(op, ast.Add) and isinstance(a, (str, list, tuple)) and isinstance(b, (str, list, tuple)):
        if len(a) + len(b) > MAX_SEQUENCE:
            raise _fail(f"joining would make more than {MAX_SEQUENCE} elements")
    if isinstance(a, (list, tuple, str)) or isinstance(b, (list, tuple, str)):
        if not isinstance(op, (ast.Add, ast.Mult)):
            raise _fail(f"cannot apply this operator to {_kind(a)} and {_kind(b)}")
    try:
        result = _BINOPS[type(op)](a, b)
    except ZeroDivisionError:
        raise EvaluationFailure("division by zero") from None
    except OverflowError:
        raise EvaluationFailure("a number overflowed") from None
    except TypeError:
        raise _fail(f"cannot combine {_kind(a)} and {_kind(b)} with this operator") from None
    if isinstance(result, complex):
        raise EvaluationFailure("a power of a negative number gave a complex number")
    return _check_value(result)


class Expression:
    """A checked, compiled-to-AST expression; evaluate it with :meth:`evaluate`."""

    __slots__ = ("source", "tree", "names", "_fn")

    def __init__(self, source: str, tree: ast.Expression, names: frozenset[str]) -> None:
        self.source = source
        self.tree = tree
        self.names = names
        self._fn = _compile(tree.body)

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        return self._fn(env)

    def evaluate_by_walking(self, env: Mapping[str, Any]) -> Any:
        """The tree-walking reference that :meth:`evaluate` (closures built once) must agree with."""
        return _Evaluator(env, self.source).visit(self.tree.body)

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def _check_tree(tree: ast.Expression) -> frozenset[str]:
    """Reject anything not allow-listed; bound size and depth (iteratively)."""
    names: set[str] = set()
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _fail(f"the expression is too complex (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise _fail(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)")
        if not isinstance(node, _ALLOWED_NODES):
            what = _DESCRIBE.get(type(node), type(node).__name__)
            raise _fail(f"not allowed in template expressions: {what}")
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float, str, bool)) or isinstance(node.value, complex):
                raise _fail(f"the literal {node.value!r} is not allowed")
            _check_value(node.value)
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise _fail(f"names starting with '_' are not allowed ('{node.id}')")
            names.add(node.id)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                shown = node.func.id if isinstance(node.func, ast.Name) else "this"
                allowed = ", ".join(sorted(FUNCTIONS))
                raise _fail(f"calling '{shown}' is not allowed; the functions are: {allowed}")
            if node.keywords:
                raise _fail("keyword arguments are not allowed in calls")
            if len(node.args) > 20:
                raise _fail("too many arguments in a call")
        for child in ast.iter_child_nodes(node):
            if isinstance(node, ast.Call) and child is node.func:
                continue
            stack.append((child, depth + 1))
    return frozenset(names)


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Expression:
    """Parse and check ``source``; raise :class:`ExpressionError` if it is not allowed."""
    if not isinstance(source, str):
        raise _fail(f"an expression must be a string, got {_kind(source)}")
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise _fail(f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters")
    if not source.strip():
        raise _fail("the expression is empty")
    # Cheap pre-check so that the parser never sees pathological nesting.
    depth = best = 0
    for ch in source:
        if ch in "([{":
            depth += 1
            best = max(best, depth)
        elif ch in ")]}":
            depth -= 1
    if best > MAX_DEPTH:
        raise _fail(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise _fail(f"invalid expression {source.strip()!r}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise _fail(f"invalid expression {source[:60]!r}") from None
    names = _check_tree(tree)
    return Expression(source, tree, names)


def evaluate(source: str, env: Mapping[str, Any]) -> Any:
    """Check and evaluate ``source`` with the names in ``env``."""
    return compile_expression(source).evaluate(env)


def names_in(source: str) -> frozenset[str]:
    """Names an expression refers to (parameters, constants and functions excluded)."""
    return frozenset(n for n in compile_expression(source).names if n not in CONSTANTS)


class _Evaluator:
    def __init__(self, env: Mapping[str, Any], source: str) -> None:
        self.env = env
        self.source = source

    def visit(self, node: ast.AST) -> Any:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:  # _check_tree already rejected it; belt and braces
            raise _fail(f"{type(node).__name__} is not allowed in template expressions")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in self.env:
            return self.env[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise _fail(f"'{node.id}' is a function; call it like {node.id}(x)")
        known = ", ".join(sorted(self.env)) or "none"
        raise _fail(f"unknown name '{node.id}' (known parameters: {known})")

    def visit_List(self, node: ast.List) -> list[Any]:
        return [self.visit(e) for e in node.elts]

    visit_Tuple = visit_List

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        return _binop(node.op, self.visit(node.left), self.visit(node.right))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        _num("unary '-'", value)
        return -value if isinstance(node.op, ast.USub) else +value

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        value: Any = None
        for e in node.values:
            value = self.visit(e)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def visit_Compare(self, node: ast.Compare) -> bool:
        left = self.visit(node.left)
        for op, comp in zip(node.ops, node.comparators, strict=False):
            right = self.visit(comp)
            try:
                ok = _CMPOPS[type(op)](left, right)
            except TypeError:
                raise _fail(f"cannot compare {_kind(left)} with {_kind(right)}") from None
            if not ok:
                return False
            left = right
        return True

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        container = self.visit(node.value)
        if isinstance(node.slice, ast.Slice):
            parts = [None if p is None else self.visit(p) for p in (node.slice.lower, node.slice.upper, node.slice.step)]
            return _slice(container, parts)
        index = self.visit(node.slice)
        return _index(container, index)

    def visit_Call(self, node: ast.Call) -> Any:
        assert isinstance(node.func, ast.Name)
        return _call(node.func.id, FUNCTIONS[node.func.id], [self.visit(a) for a in node.args])


# --- Closures, built once per expression: the same semantics as _Evaluator, without dispatching per node ---------

_Fn = Callable[[Mapping[str, Any]], Any]
_MISSING = object()


def _compile(node: ast.AST) -> _Fn:
    """A function of the environment that evaluates ``node`` exactly as :class:`_Evaluator` does."""
    build = _BUILDERS.get(type(node))
    if build is None:
        message = f"{type(node).__name__} is not allowed in template expressions"

        def refused(env: Mapping[str, Any]) -> Any:
            raise _fail(message)

        return refused
    return build(node)


def _c_constant(node: ast.Constant) -> _Fn:
    value = node.value
    return lambda env: value


def _c_name(node: ast.Name) -> _Fn:
    name = node.id
    constant = CONSTANTS.get(name, _MISSING)

    def fn(env: Mapping[str, Any]) -> Any:
        if name in env:
            return env[name]
        if constant is not _MISSING:
            return constant
        if name in FUNCTIONS:
            raise _fail(f"'{name}' is a function; call it like {name}(x)")
        known = ", ".join(sorted(env)) or "none"
        raise _fail(f"unknown name '{name}' (known parameters: {known})")

    return fn


def _c_list(node: ast.List | ast.Tuple) -> _Fn:
    items = [_compile(e) for e in node.elts]
    return lambda env: [f(env) for f in items]


def _c_binop(node: ast.BinOp) -> _Fn:
    op, left, right = node.op, _compile(node.left), _compile(node.right)
    return lambda env: _binop(op, left(env), right(env))


def _c_unaryop(node: ast.UnaryOp) -> _Fn:
    operand = _compile(node.operand)
    if isinstance(node.op, ast.Not):
        return lambda env: not operand(env)
    negate = isinstance(node.op, ast.USub)

    def fn(env: Mapping[str, Any]) -> Any:
        value = operand(env)
        _num("unary '-'", value)
        return -value if negate else +value

    return fn


def _c_boolop(node: ast.BoolOp) -> _Fn:
    values = [_compile(e) for e in node.values]
    is_and = isinstance(node.op, ast.And)
    is_or = isinstance(node.op, ast.Or)

    def fn(env: Mapping[str, Any]) -> Any:
        value: Any = None
        for f in values:
            value = f(env)
            if is_and and not value:
                return value
            if is_or and value:
                return value
        return value

    return fn


def _c_compare(node: ast.Compare) -> _Fn:
    first = _compile(node.left)
    steps = [(_CMPOPS[type(op)], _compile(comp)) for op, comp in zip(node.ops, node.comparators, strict=False)]

    def fn(env: Mapping[str, Any]) -> bool:
        left = first(env)
        for compare, comp in steps:
            right = comp(env)
            try:
                ok = compare(left, right)
            except TypeError:
                raise _fail(f"cannot compare {_kind(left)} with {_kind(right)}") from None
            if not ok:
                return False
            left = right
        return True

    return fn


def _c_ifexp(node: ast.IfExp) -> _Fn:
    test, body, orelse = _compile(node.test), _compile(node.body), _compile(node.orelse)
    return lambda env: body(env) if test(env) else orelse(env)


def _c_subscript(node: ast.Subscript) -> _Fn:
    get = _compile(node.value)
    if isinstance(node.slice, ast.Slice):
        bounds = [None if p is None else _compile(p) for p in (node.slice.lower, node.slice.upper, node.slice.step)]

        def sliced(env: Mapping[str, Any]) -> Any:
            container = get(env)
            parts = [None if p is None else p(env) for p in bounds]
            return _slice(container, parts)

        return sliced
    get_index = _compile(node.slice)

    def indexed(env: Mapping[str, Any]) -> Any:
        container = get(env)
        index = get_index(env)
        return _index(container, index)

    return indexed


def _c_call(node: ast.Call) -> _Fn:
    assert isinstance(node.func, ast.Name)
    name = node.func.id
    function = FUNCTIONS[name]
    args = [_compile(a) for a in node.args]

    def fn(env: Mapping[str, Any]) -> Any:
        return _call(name, function, [a(env) for a in args])

    return fn


_BUILDERS: dict[type[ast.AST], Callable[[Any], _Fn]] = {
    ast.Constant: _c_constant, ast.Name: _c_name, ast.List: _c_list, ast.Tuple: _c_list, ast.BinOp: _c_binop,
    ast.UnaryOp: _c_unaryop, ast.BoolOp: _c_boolop, ast.Compare: _c_compare, ast.IfExp: _c_ifexp,
    ast.Subscript: _c_subscript, ast.Call: _c_call,
}
