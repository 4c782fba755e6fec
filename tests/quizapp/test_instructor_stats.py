"""Item statistics: difficulty, discrimination, unanswered and unreadable shares, per slot and version."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grader.services import submission_grade
from questions import Variant as QuestionVariant
from quizapp.bank.services import template_import
from quizapp.quizzes.instructor.item_stats import item_statistics, point_biserial
from quizapp.quizzes.models import Quiz, QuizSlot
from quizapp.quizzes.services import answer_save, attempt_start, attempt_submit
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.quizapp.instructor_helpers import FIXED_CONV, typed

# What each student types, per slot position: (shape part, count part).
PLAN = {
    "student1": {1: ("right", "right"), 2: ("right", "right")},
    "student2": {1: ("right", "blank"), 2: ("right", "right")},
    "student3": {1: ("unreadable", "unreadable"), 2: ("wrong", "wrong")},
    "student4": {1: ("right", "right"), 2: ("right", "wrong")},
}


def raw_for(part, how: str) -> str:
    return {"right": typed(part.correct), "wrong": "1 x 1 x 1" if part.type == "shape" else "1",
            "unreadable": "abc", "blank": ""}[how]


def take(quiz, student, plan, captured) -> None:
    attempt = attempt_start(quiz=quiz, student=student)
    for variant in attempt.variants.all():
        shape, count = QuestionVariant.from_dict(variant.data).parts
        for part, how in zip((shape, count), plan[variant.position], strict=True):
            answer_save(attempt_id=attempt.id, student=student, position=variant.position, part_key=part.key,
                        raw=raw_for(part, how))
    with captured(execute=False):
        submission = attempt_submit(attempt_id=attempt.id, student=student)
    submission_grade(submission_id=submission.id)


@pytest.fixture
def two_slot_quiz(cast, conv_template, django_capture_on_commit_callbacks):
    """Two slots of 2 points (conv-output-size); students 1-2 get v1, then v2 is published and 3-4 get it."""
    now = timezone.now()
    quiz = Quiz.objects.create(course=cast["course"], title="Two slots", opens_at=now - timedelta(hours=1),
                               closes_at=now + timedelta(days=1), published=True)
    for position in (1, 2):
        QuizSlot.objects.create(quiz=quiz, position=position, points=2).pool.set([conv_template])
    for name in ("student3", "student4"):
        MembershipFactory(course=cast["course"], user=UserFactory(username=name), role="student")
    for name in ("student1", "student2"):
        take(quiz, cast.get(name) or UserFactory(username=name), PLAN[name], django_capture_on_commit_callbacks)
    template_import(course=cast["course"], source=FIXED_CONV + "\n# reworded\n", publish=True)
    for name in ("student3", "student4"):
        take(quiz, UserFactory(username=name), PLAN[name], django_capture_on_commit_callbacks)
    return quiz


def test_point_biserial_matches_pearson_and_is_undefined_without_spread():
    item, rest = [1, 0.5, 0, 1], [2, 2, 0, 1]
    assert point_biserial(item, rest) == pytest.approx(statistics.correlation(item, rest))
    assert point_biserial([1, 1, 1], [0, 1, 2]) is None
    assert point_biserial([1], [3]) is None
    assert point_biserial([], []) is None


def test_slot_statistics_from_the_current_grades(two_slot_quiz):
    first, second = item_statistics(quiz=two_slot_quiz)
    assert first.overall.answers == 4
    assert first.overall.difficulty == pytest.approx((1 + 0.5 + 0 + 1) / 4)
    # rest of the quiz = the points earned on slot 2
    assert first.overall.discrimination == pytest.approx(statistics.correlation([1, 0.5, 0, 1], [2, 2, 0, 1]))
    assert first.overall.unanswered == pytest.approx(1 / 8)
    assert first.overall.unreadable == pytest.approx(2 / 8)
    assert second.overall.difficulty == pytest.approx((1 + 1 + 0 + 0.5) / 4)
    assert second.overall.discrimination == pytest.approx(statistics.correlation([1, 1, 0, 0.5], [2, 1, 0, 2]))
    assert second.overall.unanswered == second.overall.unreadable == 0


def test_statistics_are_split_by_template_version(two_slot_quiz):
    first, _ = item_statistics(quiz=two_slot_quiz)
    v1, v2 = first.versions
    assert (v1.label, v1.answers, v2.label, v2.answers) == ("conv-output-size v1", 2, "conv-output-size v2", 2)
    assert v1.difficulty == pytest.approx(0.75) and v2.difficulty == pytest.approx(0.5)
    assert v1.unanswered == pytest.approx(1 / 4) and v2.unreadable == pytest.approx(2 / 4)
    assert v1.discrimination is None  # rest scores 2 and 2: no spread


def test_only_graded_submissions_count_and_the_newest_grade_is_used(two_slot_quiz):
    from quizapp.quizzes.models import Grade, Submission

    newest = Grade.objects.filter(submission__attempt__student__username="student3").first()
    details = newest.details
    details["1"]["earned"] = 2.0
    Grade.objects.create(submission=newest.submission, score=newest.score + 2, max_score=newest.max_score,
                         details=details, reason="regrade")
    Submission.objects.filter(attempt__student__username="student4").update(status="pending")
    first, _ = item_statistics(quiz=two_slot_quiz)
    assert first.overall.answers == 3
    assert first.overall.difficulty == pytest.approx((1 + 0.5 + 1) / 3)


def test_a_quiz_without_graded_answers_shows_dashes(client, open_quiz, cast):
    [slot] = item_statistics(quiz=open_quiz)
    assert slot.overall.answers == 0 and slot.overall.difficulty is None and slot.overall.discrimination is None
    assert client.login(username="ta", password=PASSWORD)
    page = client.get(reverse("teach-stats", args=[open_quiz.id])).content.decode()
    assert '<td class="num discrimination">-</td>' in page


def test_ta_reads_the_statistics_page_and_api(client, two_slot_quiz):
    assert client.login(username="ta", password=PASSWORD)
    page = client.get(reverse("teach-stats", args=[two_slot_quiz.id])).content.decode()
    assert "conv-output-size v2" in page and "Question 2" in page and "0.63" in page
    body = client.get(f"/api/teach/quizzes/{two_slot_quiz.id}/statistics/").json()
    assert [s["position"] for s in body] == [1, 2]
    assert body[0]["overall"]["difficulty"] == pytest.approx(0.625)
    assert body[0]["versions"][0]["discrimination"] is None


@pytest.mark.parametrize("name", ["student1", "outsider"])
def test_students_never_see_item_statistics(client, open_quiz, name):
    assert client.login(username=name, password=PASSWORD)
    assert client.get(reverse("teach-stats", args=[open_quiz.id])).status_code == 404
    assert client.get(f"/api/teach/quizzes/{open_quiz.id}/statistics/").status_code == 404
