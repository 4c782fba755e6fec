"""A student takes a quiz in headless Chromium; a real worker grades it; the result shows steps."""

from __future__ import annotations

import re

import pytest

from questions import Variant as QuestionVariant
from quizapp.quizzes.models import Attempt
from tests.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def typed(correct) -> str:
    return " x ".join(map(str, correct)) if isinstance(correct, list) else str(correct)


def take_quiz(page, base_url: str, username: str, shot_prefix: str | None) -> Attempt:
    log_in(page, base_url, username)
    page.click("text=Start quiz")
    page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
    attempt = Attempt.objects.filter(student__username=username).latest("started_at")
    variant = QuestionVariant.from_dict(attempt.variants.get().data)
    for part in variant.parts:
        box = page.locator(f"[data-part='{part.key}'] input.answer")
        box.fill(typed(part.correct))
        page.locator(f"[data-part='{part.key}'] .save-status.ok").wait_for()
    page.wait_for_function("() => document.querySelector('mjx-container') !== null")  # MathJax rendered
    if shot_prefix:
        screenshot(page, f"{shot_prefix}-attempt")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-attempt")
    page.wait_for_url(re.compile(r".*/result/$"))
    page.locator("#score").wait_for(timeout=60_000)
    return attempt


def test_student_takes_the_quiz_and_sees_the_graded_result_with_steps(page, live_server, open_quiz, cast,
                                                                       celery_worker_process):
    attempt = take_quiz(page, live_server.url, "student1", "student1")
    assert page.locator("#score").inner_text() == "2 / 2"
    assert page.locator(".steps li").count() >= 3
    variant = QuestionVariant.from_dict(attempt.variants.get().data)
    page.wait_for_function("() => document.querySelectorAll('.steps mjx-container').length > 0")
    screenshot(page, "student1-result")
    shape = next(p for p in variant.parts if p.type == "shape")
    assert " × ".join(map(str, shape.correct)) in page.locator(".correct-answer").first.inner_text()


def test_second_student_sees_different_numbers(page, live_server, open_quiz, cast, celery_worker_process):
    log_in(page, live_server.url, "student1")
    page.click("text=Start quiz")
    page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
    first_text = page.locator(".question-text").inner_text()
    page.context.clear_cookies()
    log_in(page, live_server.url, "student2")
    page.click("text=Start quiz")
    page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
    second_text = page.locator(".question-text").inner_text()
    screenshot(page, "student2-attempt")
    assert first_text != second_text
