"""Every mistake model answers in the same form as its solver."""

from __future__ import annotations

import pytest

from dlcore import distinguishable_mistakes, get_solver, mistake_answers, solve
from dlcore.torch_reference import cases

ALL_CASES = [
    pytest.param(name, params, id=f"{module}-{i}-{name}")
    for module, module_cases in cases().items()
    for i, (name, params) in enumerate(module_cases)
]


@pytest.mark.parametrize("name, params", ALL_CASES)
def test_mistakes_answer_in_the_same_form_as_the_solver(name, params):
    correct = solve(name, params).answer
    wrong = mistake_answers(name, params)
    assert len(get_solver(name).mistakes) >= 2
    for answer in wrong.values():
        assert type(answer) is type(correct)
        assert not isinstance(correct, dict) or answer.keys() == correct.keys()
    # Corner cases (symmetric kernel, no padding) may make every mistake agree with the answer;
    # the question templates redraw those variants (validate_template checks it).
    assert set(distinguishable_mistakes(name, params)) == set(wrong)
