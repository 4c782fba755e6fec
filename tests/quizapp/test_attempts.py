"""The student's path through services and pages: variants, saving, deadlines, submitting."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from questions import Variant as QuestionVariant
from quizapp.core.exceptions import Conflict, DeadlinePassed, NotAllowed, NotFound, ValidationFailed
from quizapp.quizzes.models import AnswerPart, Attempt, Submission
from quizapp.quizzes.services import answer_save, attempt_start, attempt_submit, attempts_close_expired
from tests.factories import PASSWORD


def params_of(attempt):
    return [v.data["params"] for v in attempt.variants.order_by("position")]


def first_part_key(attempt):
    return QuestionVariant.from_dict(attempt.variants.get(position=1).data).parts[0].key


def test_same_student_gets_the_same_numbers_on_reload(open_quiz, cast):
    first = attempt_start(quiz=open_quiz, student=cast["student1"])
    again = attempt_start(quiz=open_quiz, student=cast["student1"])
    assert again.id == first.id
    assert params_of(again) == params_of(first)


def test_second_student_gets_other_numbers(open_quiz, cast):
    a = attempt_start(quiz=open_quiz, student=cast["student1"])
    b = attempt_start(quiz=open_quiz, student=cast["student2"])
    assert params_of(a) != params_of(b)


def test_variant_seed_depends_on_the_server_secret(open_quiz, cast, settings):
    a = attempt_start(quiz=open_quiz, student=cast["student1"])
    seed = a.variants.get().seed
    a.delete()
    settings.VARIANT_SECRET = "another secret"
    b = attempt_start(quiz=open_quiz, student=cast["student1"])
    assert b.variants.get().seed != seed


def test_only_students_of_the_course_can_start(open_quiz, cast):
    for name in ("outsider", "ta"):
        with pytest.raises(NotAllowed):
            attempt_start(quiz=open_quiz, student=cast[name])


def test_a_closed_quiz_cannot_be_started(open_quiz, cast):
    open_quiz.closes_at = timezone.now() - timedelta(minutes=1)
    open_quiz.opens_at = timezone.now() - timedelta(hours=2)
    open_quiz.save()
    with pytest.raises(Conflict):
        attempt_start(quiz=open_quiz, student=cast["student1"])


def test_answers_are_saved_and_overwritten_as_the_student_types(open_quiz, cast):
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    key = first_part_key(attempt)
    answer_save(attempt_id=attempt.id, student=cast["student1"], position=1, part_key=key, raw="16x3")
    answer_save(attempt_id=attempt.id, student=cast["student1"], position=1, part_key=key, raw="16x30x30")
    assert AnswerPart.objects.get().raw == "16x30x30"


def test_a_huge_answer_is_refused_with_a_clear_error_and_keeps_the_last_one(open_quiz, cast):
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    key = first_part_key(attempt)
    answer_save(attempt_id=attempt.id, student=cast["student1"], position=1, part_key=key, raw="12")
    with pytest.raises(ValidationFailed, match="too long"):
        answer_save(attempt_id=attempt.id, student=cast["student1"], position=1, part_key=key, raw="1" * 10_000_000)
    assert AnswerPart.objects.get().raw == "12"


def test_another_students_attempt_is_not_found(open_quiz, cast):
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    with pytest.raises(NotFound):
        answer_save(attempt_id=attempt.id, student=cast["student2"], position=1, part_key="x", raw="1")
    with pytest.raises(NotFound):
        attempt_submit(attempt_id=attempt.id, student=cast["student2"])


def test_a_save_after_the_deadline_changes_nothing_and_submits_what_was_saved(open_quiz, cast, django_capture_on_commit_callbacks):
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    key = first_part_key(attempt)
    answer_save(attempt_id=attempt.id, student=cast["student1"], position=1, part_key=key, raw="before")
    late = attempt.deadline + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(DeadlinePassed):
        answer_save(attempt_id=attempt.id, student=cast["student1"], position=1, part_key=key, raw="after", now=late)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert Submission.objects.get(attempt=attempt).answers == {"1": {key: "before"}}


def test_submitting_twice_creates_one_submission(open_quiz, cast, django_capture_on_commit_callbacks):
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        one = attempt_submit(attempt_id=attempt.id, student=cast["student1"])
        two = attempt_submit(attempt_id=attempt.id, student=cast["student1"])
    assert one.id == two.id
    assert len(callbacks) == 1  # grading is enqueued once, after commit


def test_expired_attempts_are_submitted_by_the_periodic_task(open_quiz, cast, django_capture_on_commit_callbacks):
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    with django_capture_on_commit_callbacks(execute=False):
        assert attempts_close_expired(now=attempt.deadline + timedelta(minutes=5)) == 1
    assert Submission.objects.filter(attempt=attempt).exists()


def test_the_attempt_page_never_contains_the_correct_answer(client, open_quiz, cast):
    client.login(username="student1", password=PASSWORD)
    response = client.post(reverse("quiz-start", args=[open_quiz.id]))
    attempt = Attempt.objects.get()
    assert response.url == reverse("attempt", args=[attempt.id])
    html = client.get(response.url).content.decode()
    variant = QuestionVariant.from_dict(attempt.variants.get().data)
    for part in variant.parts:
        shown = json.dumps(part.correct)
        assert shown not in html
        if isinstance(part.correct, list):
            assert " x ".join(map(str, part.correct)) not in html
    for step in variant.steps:
        if len(step["latex"]) > 12:  # short ones like "C_out = 128" repeat the question's own numbers
            assert step["latex"] not in html


def test_pages_and_api_require_login(client, open_quiz):
    assert client.get(reverse("dashboard")).status_code == 302
    assert client.get("/api/quizzes/").status_code == 403


def test_state_changes_require_the_csrf_token(open_quiz, cast):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.login(username="student1", password=PASSWORD)
    assert csrf_client.post(reverse("quiz-start", args=[open_quiz.id])).status_code == 403
    assert csrf_client.post(f"/api/quizzes/{open_quiz.id}/attempts/").status_code == 403
    assert not Attempt.objects.exists()


def test_api_path_start_save_submit_and_error_shape(client, open_quiz, cast, django_capture_on_commit_callbacks):
    client.login(username="student1", password=PASSWORD)
    body = client.post(f"/api/quizzes/{open_quiz.id}/attempts/").json()
    attempt_id = body["id"]
    assert "correct" not in json.dumps(body)
    key = body["questions"][0]["parts"][0]["key"]
    ok = client.put(f"/api/attempts/{attempt_id}/answers/", {"position": 1, "part_key": key, "raw": "1,703"},
                    content_type="application/json")
    assert ok.status_code == 200
    missing = client.put(f"/api/attempts/{attempt_id}/answers/", {"position": 9, "part_key": key, "raw": "1"},
                         content_type="application/json")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "No such question part in this attempt."}}
    with django_capture_on_commit_callbacks(execute=False):
        submitted = client.post(f"/api/attempts/{attempt_id}/submit/")
    assert submitted.status_code == 202
    result = client.get(f"/api/attempts/{attempt_id}/result/").json()
    assert result["status"] == "pending" and result["questions"] == []


def test_another_student_cannot_read_my_attempt_through_the_api(client, open_quiz, cast):
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    client.login(username="student2", password=PASSWORD)
    for url in (f"/api/attempts/{attempt.id}/", f"/api/attempts/{attempt.id}/result/"):
        assert client.get(url).status_code == 404
    assert client.get(reverse("attempt", args=[attempt.id])).status_code == 404


@pytest.mark.parametrize("raw, warned", [("1,703", True), ("abc", True), ("18560", False), ("", False)])
def test_saving_flags_an_unreadable_answer_inline_without_grading_it(client, open_quiz, cast, raw, warned):
    client.login(username="student1", password=PASSWORD)
    client.post(reverse("quiz-start", args=[open_quiz.id]))
    attempt = Attempt.objects.get()
    html = client.post(reverse("answer-save", args=[attempt.id]), {"position": 1, "part_key": "count", "raw": raw})
    assert html.status_code == 200
    assert "Saved" in html.content.decode()
    assert ("format-error" in html.content.decode()) is warned
    assert AnswerPart.objects.get().raw == raw  # saved as typed: nothing is lost


def test_the_variant_seed_is_not_in_the_page(client, open_quiz, cast):
    client.login(username="student1", password=PASSWORD)
    page = client.get(client.post(reverse("quiz-start", args=[open_quiz.id])).url).content.decode()
    assert str(Attempt.objects.get().variants.get().seed) not in page


def test_a_megabyte_answer_through_the_page_gets_the_limit_in_one_sentence(client, open_quiz, cast):
    client.login(username="student1", password=PASSWORD)
    client.post(reverse("quiz-start", args=[open_quiz.id]))
    attempt = Attempt.objects.get()
    response = client.post(reverse("answer-save", args=[attempt.id]),
                           {"position": 1, "part_key": "count", "raw": "7" * 1_000_000})
    assert response.status_code == 400
    assert "too long (1000000 characters); the limit is 2000" in response.content.decode()
