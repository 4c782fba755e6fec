"""Plain value types that every solver returns."""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Step", "Solution"]


class Step(NamedTuple):
    """One line of a worked solution.

    Parameters
    ----------
    label : str
        Short human description, e.g. ``"Output height"``.
    latex : str
        The formula with the student's numbers substituted, as LaTeX.
    value : Any
        The JSON-ready value this step computes.
    """

    label: str
    latex: str
    value: Any

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "latex": self.latex, "value": self.value}


class Solution(NamedTuple):
    """The answer of a solver and the ordered steps that lead to it.

    ``checked`` is the solver's promise that the answer and every step value are already
    plain JSON (floats, ints, strings, lists, string-keyed dicts) with every float finite:
    it computed them as flat float lists and ran ``dlcore.finite.require_finite`` on them.
    ``solve`` then returns the solution without walking it again.
    """

    answer: Any
    steps: tuple[Step, ...] = ()
    checked: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"answer": self.answer, "steps": [s.to_dict() for s in self.steps]}
