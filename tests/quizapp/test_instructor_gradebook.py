"""Grades CSV for an LMS gradebook: best grade per student, safe cells, stable order, instructors only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from quizapp.quizzes.instructor.gradebook import COLUMNS, gradebook_csv, gradebook_filename, safe_cell
from quizapp.quizzes.models import Attempt, Grade, Submission
from quizapp.quizzes.services import attempt_start
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.quizapp.instructor_helpers import graded, submit


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def graded_quiz(open_quiz, cast, django_capture_on_commit_callbacks):
    """student2 (two attempts: 1/2 then 2/2), student1 (0/2), a hostile name (still answering)."""
    open_quiz.max_attempts = 2
    open_quiz.save()
    cast["student2"].first_name, cast["student2"].email = "Kim", "kim@example.org"
    cast["student2"].save()
    graded(open_quiz, cast["student2"], how={"shape": "wrong"}, captured=django_capture_on_commit_callbacks)
    graded(open_quiz, cast["student2"], how="right", captured=django_capture_on_commit_callbacks)
    graded(open_quiz, cast["student1"], how="wrong", captured=django_capture_on_commit_callbacks)
    hostile = UserFactory(username="=cmd|' /C calc'!A0", first_name="+1", last_name="@SUM(A1)", email="-x@example.org")
    MembershipFactory(course=cast["course"], user=hostile, role="student")
    attempt_start(quiz=open_quiz, student=hostile)
    return open_quiz


def test_one_row_per_student_with_the_best_grade_sorted_by_username(graded_quiz):
    rows = rows_of(gradebook_csv(quiz=graded_quiz))
    assert list(rows[0]) == COLUMNS
    assert [r["username"] for r in rows] == ["'=cmd|' /C calc'!A0", "student1", "student2"]
    kim = rows[2]
    assert (kim["first_name"], kim["email"]) == ("Kim", "kim@example.org")
    assert (kim["score"], kim["max_score"], kim["percent"], kim["attempts"]) == ("2", "2", "100", "2")
    best = Attempt.objects.get(student__username="student2", number=2)
    assert kim["submitted_at"] == best.submitted_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert datetime.strptime(kim["submitted_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert (rows[1]["score"], rows[1]["percent"], rows[1]["attempts"]) == ("0", "0", "1")


def test_a_student_without_a_graded_submission_has_an_empty_score(graded_quiz):
    hostile = rows_of(gradebook_csv(quiz=graded_quiz))[0]
    assert (hostile["score"], hostile["percent"], hostile["max_score"], hostile["submitted_at"]) == ("", "", "2", "")


def test_formula_cells_are_neutralised(graded_quiz):
    hostile = rows_of(gradebook_csv(quiz=graded_quiz))[0]
    assert (hostile["first_name"], hostile["last_name"], hostile["email"]) == ("'+1", "'@SUM(A1)", "'-x@example.org")


@pytest.mark.parametrize("value, cell", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"),
                                         ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("", ""), (None, ""),
                                         ("a=b", "a=b")])
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


def test_the_newest_grade_counts_and_staff_are_left_out(graded_quiz, cast, django_capture_on_commit_callbacks):
    submission = Submission.objects.get(attempt__student__username="student1")
    Grade.objects.create(submission=submission, score=Decimal("1.5"), max_score=2, details={}, reason="regrade")
    rows = {r["username"]: r for r in rows_of(gradebook_csv(quiz=graded_quiz))}
    assert (rows["student1"]["score"], rows["student1"]["percent"]) == ("1.5", "75")
    assert "instructor" not in rows and "ta" not in rows


def test_the_file_name_is_safe(graded_quiz):
    graded_quiz.title = 'Quiz "1"; rm -rf /\r\nX-Evil: yes ü'
    assert gradebook_filename(quiz=graded_quiz) == "dl101-quiz-1-rm-rf-x-evil-yes-u-grades.csv"


def test_the_instructor_downloads_the_csv(client, graded_quiz):
    assert client.login(username="instructor", password=PASSWORD)
    response = client.get(reverse("teach-grades-csv", args=[graded_quiz.id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dl101-conv-quiz-grades.csv"'
    assert len(rows_of(response.content.decode())) == 3


@pytest.mark.parametrize("name, status", [("ta", 403), ("student1", 404), ("outsider", 404)])
def test_only_instructors_export_grades(client, graded_quiz, name, status):
    assert client.login(username=name, password=PASSWORD)
    assert client.get(reverse("teach-grades-csv", args=[graded_quiz.id])).status_code == status


def test_the_ta_page_has_no_export_link(client, open_quiz, cast, django_capture_on_commit_callbacks):
    submit(open_quiz, cast["student1"], captured=django_capture_on_commit_callbacks)
    assert client.login(username="ta", password=PASSWORD)
    assert "download-csv" not in client.get(reverse("teach-monitor", args=[open_quiz.id])).content.decode()
    assert client.login(username="instructor", password=PASSWORD)
    assert "download-csv" in client.get(reverse("teach-monitor", args=[open_quiz.id])).content.decode()
