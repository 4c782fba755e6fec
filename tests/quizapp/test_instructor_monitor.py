"""The grading monitor: counts, the table of students, htmx polling while grading, who may see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quizapp.quizzes.instructor.monitor import grading_monitor
from quizapp.quizzes.models import Submission
from quizapp.quizzes.services import attempt_start
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.quizapp.instructor_helpers import graded, submit


def login(client, name):
    assert client.login(username=name, password=PASSWORD)


@pytest.fixture
def busy_quiz(open_quiz, cast, django_capture_on_commit_callbacks):
    """student1 graded (full marks), student2 submitted and waiting, a third student still answering."""
    graded(open_quiz, cast["student1"], captured=django_capture_on_commit_callbacks)
    submit(open_quiz, cast["student2"], captured=django_capture_on_commit_callbacks)
    third = UserFactory(username="student3")
    MembershipFactory(course=cast["course"], user=third, role="student")
    attempt_start(quiz=open_quiz, student=third)
    return open_quiz


def test_monitor_counts_attempts_and_submissions_by_status(busy_quiz):
    monitor = grading_monitor(quiz=busy_quiz)
    assert monitor.attempts == {"in_progress": 1, "submitted": 2}
    assert monitor.submissions == {"pending": 1, "grading": 0, "graded": 1, "failed": 0}
    assert monitor.busy


def test_monitor_rows_give_status_current_score_and_submission_time(busy_quiz):
    rows = {row.username: row for row in grading_monitor(quiz=busy_quiz).rows}
    assert [r.username for r in grading_monitor(quiz=busy_quiz).rows] == ["student1", "student2", "student3"]
    assert rows["student1"].submission_status == "graded" and rows["student1"].score == rows["student1"].max_score == 2
    assert rows["student2"].submission_status == "pending" and rows["student2"].score is None
    assert rows["student2"].submitted_at is not None
    assert rows["student3"].attempt_status == "in_progress" and rows["student3"].submission_id is None


def test_a_failed_grading_shows_its_error(open_quiz, cast, django_capture_on_commit_callbacks):
    submission = submit(open_quiz, cast["student1"], captured=django_capture_on_commit_callbacks)
    Submission.objects.filter(id=submission.id).update(status="failed", error="KeyError: 'parts'")
    monitor = grading_monitor(quiz=open_quiz)
    assert monitor.submissions["failed"] == 1 and not monitor.busy
    assert monitor.rows[0].error == "KeyError: 'parts'"


def test_the_monitor_page_polls_while_grading_and_stops_when_done(client, busy_quiz, cast):
    login(client, "ta")
    url = reverse("teach-monitor", args=[busy_quiz.id])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s [monitorBusy()]"' in page and 'id="count-pending">1<' in page
    assert 'data-busy="true"' in page
    Submission.objects.filter(status="pending").update(status="graded")
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="monitor" data-busy="false"') and "<html" not in fragment


def test_ta_and_instructor_see_the_monitor_page_and_api(client, busy_quiz):
    for name in ("ta", "instructor"):
        login(client, name)
        assert client.get(reverse("teach-monitor", args=[busy_quiz.id])).status_code == 200
        body = client.get(f"/api/teach/quizzes/{busy_quiz.id}/monitor/").json()
        assert body["submissions"]["graded"] == 1 and body["busy"] is True
        assert [r["username"] for r in body["rows"]] == ["student1", "student2", "student3"]


@pytest.mark.parametrize("name", ["student1", "outsider", "other-ta"])
def test_students_and_other_courses_staff_never_see_the_monitor(client, busy_quiz, cast, name):
    MembershipFactory(course=cast["other_course"], user=UserFactory(username="other-ta"), role="ta")
    login(client, name)
    assert client.get(reverse("teach-monitor", args=[busy_quiz.id])).status_code == 404
    assert client.get(f"/api/teach/quizzes/{busy_quiz.id}/monitor/").status_code == 404
    assert client.get(reverse("teach-index")).status_code in (403, 200)
    assert "Conv quiz" not in client.get(reverse("teach-index")).content.decode()


def test_the_teaching_page_lists_the_quiz_and_students_are_refused(client, busy_quiz):
    login(client, "student1")
    assert client.get(reverse("teach-index")).status_code == 403
    assert "nav-teaching" not in client.get(reverse("dashboard")).content.decode()
    login(client, "ta")
    assert "nav-teaching" in client.get(reverse("dashboard")).content.decode()
    assert "Conv quiz" in client.get(reverse("teach-index")).content.decode()


def test_anonymous_users_are_sent_to_log_in(client, busy_quiz):
    assert client.get(reverse("teach-monitor", args=[busy_quiz.id])).status_code == 302
    assert client.get(f"/api/teach/quizzes/{busy_quiz.id}/monitor/").status_code == 403


def test_the_api_schema_documents_the_staff_endpoints(tmp_path):
    import yaml
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    paths = yaml.safe_load(out.read_text())["paths"]
    for path, method in [("/api/teach/quizzes/{quiz_id}/monitor/", "get"),
                         ("/api/teach/quizzes/{quiz_id}/statistics/", "get"),
                         ("/api/teach/quizzes/{quiz_id}/regrade/", "post"),
                         ("/api/teach/quizzes/{quiz_id}/submissions/{submission_id}/regrade/", "post"),
                         ("/api/teach/quizzes/{quiz_id}/update-variants/", "post")]:
        assert method in paths[path], path
