"""The one exception family of the questions package."""

from __future__ import annotations

__all__ = ["TemplateError", "ExpressionError", "EvaluationFailure"]


class TemplateError(Exception):
    """A template cannot be loaded, validated or turned into a variant.

    Parameters
    ----------
    message : str
        One human-readable sentence (or a few).
    path : str, optional
        Dotted field path inside the template, e.g. ``params.h.int``.
    line : int, optional
        1-based line of that field in the YAML source, when known.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.path:
            where.append(f"field '{self.path}'")
        prefix = f"{', '.join(where)}: " if where else ""
        return prefix + self.message


class ExpressionError(TemplateError):
    """An expression is not allowed or cannot be evaluated; never retried."""


class EvaluationFailure(ExpressionError):
    """Arithmetic failed for this draw (division by zero, sqrt of a negative, ...).

    Raised while generating a variant, it makes the draw count as rejected so that
    the parameters are drawn again, like a failed constraint.
    """
