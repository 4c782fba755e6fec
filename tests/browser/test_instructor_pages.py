"""An instructor in headless Chromium: watches grading, regrades through a real worker, downloads the
grades CSV, and builds a quiz with the builder (clear errors, then saved)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import timezone

from quizapp.quizzes.models import Grade, Quiz, Submission
from quizapp.quizzes.services import answer_save, attempt_start, attempt_submit
from tests.browser.test_student_takes_quiz import log_in
from tests.conftest import screenshot, wait_for_grade
from tests.quizapp.instructor_helpers import truly_right

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_instructor_watches_grading_regrades_and_downloads_the_csv(page, live_server, open_quiz, cast,
                                                                   celery_worker_process):
    student = cast["student1"]
    attempt = attempt_start(quiz=open_quiz, student=student)
    for key, raw in truly_right(attempt).items():
        answer_save(attempt_id=attempt.id, student=student, position=1, part_key=key, raw=raw)
    submission = attempt_submit(attempt_id=attempt.id, student=student)
    assert wait_for_grade(submission.id).status == "graded"

    log_in(page, live_server.url, "instructor")
    page.click("#nav-teaching")
    page.click(f"tr[data-quiz='{open_quiz.id}'] >> text=Grading")
    row = page.locator("tr[data-username='student1']")
    assert "2 / 2" in row.locator(".score").inner_text()
    assert page.locator("#count-graded").inner_text() == "1"

    # While a submission is being graded the page refreshes itself, and stops once it is done.
    Submission.objects.filter(id=submission.id).update(status="grading", claimed_at=timezone.now())
    page.reload()
    page.locator("#monitor[data-busy='true']").wait_for()
    assert page.locator("#count-grading").inner_text() == "1"
    screenshot(page, "instructor-monitor-grading")
    Submission.objects.filter(id=submission.id).update(status="graded")
    page.locator("#monitor[data-busy='false'] #count-graded").filter(has_text="1").wait_for()

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#regrade-all")
    page.locator(".messages").filter(has_text="Queued 1 submission(s) for regrading.").wait_for()
    # The page polls (htmx) while the worker regrades, and stops once everything is graded.
    page.locator("#monitor[data-busy='false'] tr[data-status='graded']").wait_for(timeout=60_000)
    page.locator("tr[data-username='student1'] .score").filter(has_text="(2 gradings)").wait_for(timeout=30_000)
    assert list(Grade.objects.filter(submission=submission).values_list("reason", flat=True).order_by("id")) == [
        "initial", "regrade"]
    screenshot(page, "instructor-monitor")

    page.click("nav.tabs >> text=Statistics")
    overall = page.locator("#item-stats tr.slot")
    assert overall.locator(".difficulty").inner_text() == "1.00"  # everybody (one student) got it right
    assert overall.locator(".discrimination").inner_text() == "-"  # undefined with one answer
    assert page.locator("#item-stats tr.version code").inner_text() == "conv-output-size v1"
    screenshot(page, "instructor-statistics")

    with page.expect_download() as info:
        page.click("#download-csv")
    download = info.value
    assert download.suggested_filename == "dl101-conv-quiz-grades.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert [(r["username"], r["score"], r["max_score"], r["percent"], r["attempts"]) for r in rows] == [
        ("student1", "2", "2", "100", "1")]


def test_instructor_builds_a_quiz_and_sees_clear_errors(page, live_server, conv_template, cast):
    log_in(page, live_server.url, "instructor")
    page.click("#nav-teaching")
    page.click("section[data-course='dl101'] .new-quiz")
    page.fill("#id_title", "Week 4: convolutions")
    page.fill("#id_opens_at", "2030-03-02T09:00")
    page.fill("#id_closes_at", "2030-03-01T09:00")  # before it opens
    page.check("#id_published")
    page.click("#save-quiz")
    page.locator("[data-field='closes_at']").filter(has_text="The quiz must close after it opens.").wait_for()
    page.locator("[data-field='published']").filter(has_text="cannot be published").wait_for()
    screenshot(page, "instructor-builder-errors")

    page.fill("#id_closes_at", "2030-03-09T09:00")
    page.click("#add-slot")
    slot = page.locator("fieldset.slot").last
    assert slot.locator("input[name$='-position']").input_value() == "2"  # numbered after the blank form
    slot.locator("input[name$='-position']").fill("1")
    slot.locator("input[name$='-points']").fill("2")
    slot.get_by_label(re.compile("conv-output-size")).check()
    page.click("#save-quiz")
    page.locator(".messages").filter(has_text="Created the quiz Week 4: convolutions.").wait_for()
    quiz = Quiz.objects.get(title="Week 4: convolutions")
    assert quiz.published and quiz.closes_at.isoformat().startswith("2030-03-09T09:00")
    assert [(s.position, s.points) for s in quiz.slots.all()] == [(1, 2)]
    screenshot(page, "instructor-builder-saved")
