"""Helpers of the instructor tests: students answer, submit and get graded without a broker."""

from __future__ import annotations

from pathlib import Path

from questions import Variant as QuestionVariant
from quizapp.quizzes.models import Attempt, Submission
from quizapp.quizzes.services import answer_save, attempt_start, attempt_submit


def typed(correct) -> str:  # type: ignore[no-untyped-def]
    return " x ".join(map(str, correct)) if isinstance(correct, list) else str(correct)


def answer(attempt: Attempt, student, how: dict[str, str] | str = "right") -> None:  # type: ignore[no-untyped-def]
    """Answer every part of every variant: "right", "wrong", "unreadable", "blank", or {part_key: raw}."""
    for variant in attempt.variants.order_by("position"):
        for part in QuestionVariant.from_dict(variant.data).parts:
            choice = how if isinstance(how, str) else how.get(part.key, "right")
            raw = {"right": typed(part.correct), "wrong": "1 x 1 x 1" if part.type == "shape" else "1",
                   "unreadable": "abc", "blank": ""}.get(choice, choice)
            answer_save(attempt_id=attempt.id, student=student, position=variant.position, part_key=part.key, raw=raw)


def submit(quiz, student, how: dict[str, str] | str = "right", captured=None) -> Submission:  # type: ignore[no-untyped-def]
    """Start, answer and submit; the grading task is not sent (``captured``: django_capture_on_commit_callbacks)."""
    attempt = attempt_start(quiz=quiz, student=student)
    answer(attempt, student, how)
    with captured(execute=False):
        return attempt_submit(attempt_id=attempt.id, student=student)


def graded(quiz, student, how: dict[str, str] | str = "right", captured=None) -> Submission:  # type: ignore[no-untyped-def]
    from grader.services import submission_grade

    submission = submit(quiz, student, how, captured)
    assert submission_grade(submission_id=submission.id) is not None
    submission.refresh_from_db()
    return submission


FIXED_CONV = (Path(__file__).resolve().parents[2] / "question_bank" / "cnn" / "conv-output-size.yaml").read_text()
# The bug a TA later fixes: the parameter count uses one input channel too many.
BUGGY_CONV = FIXED_CONV.replace("solver_params: {in_channels: c_in, out_channels: n, kernel: k}",
                                "solver_params: {in_channels: c_in + 1, out_channels: n, kernel: k}")
assert BUGGY_CONV != FIXED_CONV


def buggy_quiz(cast):  # type: ignore[no-untyped-def]
    """An open quiz of one slot whose template (conv-output-size v1) counts the parameters wrongly."""
    from quizapp.bank.services import template_import
    from tests.factories import open_quiz_of

    template = template_import(course=cast["course"], source=BUGGY_CONV, publish=True).template
    return open_quiz_of(cast["course"], template)


def truly_right(attempt: Attempt) -> dict[str, str]:
    """The answers that are right by the fixed template for the variant's numbers, whatever version it has."""
    from questions import load_template, regenerate_variant

    variant = attempt.variants.get(position=1)
    fixed = regenerate_variant(load_template(FIXED_CONV), variant.seed, variant.data["params"])
    return {part.key: typed(part.correct) for part in fixed.parts}


def publish_fix(cast):  # type: ignore[no-untyped-def]
    from quizapp.bank.services import template_import

    return template_import(course=cast["course"], source=FIXED_CONV, publish=True)
