"""Regrading: one submission, the whole quiz, and updating variants of a fixed template."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grader.services import submission_grade
from quizapp.core.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed
from quizapp.quizzes.instructor.regrade import (
    outdated_templates,
    quiz_regrade_all,
    submission_regrade_for_quiz,
    variants_update_and_regrade,
)
from quizapp.quizzes.models import Grade, Submission, Variant
from quizapp.quizzes.services import attempt_start
from tests.factories import PASSWORD
from tests.quizapp.instructor_helpers import (
    FIXED_CONV,
    buggy_quiz,
    graded,
    publish_fix,
    truly_right,
)


def login(client, name):
    assert client.login(username=name, password=PASSWORD)


@pytest.fixture
def two_graded(open_quiz, cast, django_capture_on_commit_callbacks):
    return [graded(open_quiz, cast[name], captured=django_capture_on_commit_callbacks) for name in ("student1", "student2")]


def grade_queued():
    """What the worker would do: grade every submission that waits."""
    return [submission_grade(submission_id=i) for i in Submission.objects.filter(status="pending").values_list("id", flat=True)]


def test_regrade_all_queues_every_graded_submission_and_adds_regrade_rows(open_quiz, cast, two_graded,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        assert quiz_regrade_all(quiz=open_quiz, user=cast["instructor"]) == 2
    assert len(enqueued) == 2
    assert set(Submission.objects.values_list("status", flat=True)) == {"pending"}
    grade_queued()
    for submission in two_graded:
        assert list(submission.grades.order_by("created_at", "id").values_list("reason", flat=True)) == ["initial", "regrade"]


def test_regrade_all_leaves_submissions_that_are_still_waiting(open_quiz, cast, two_graded,
                                                               django_capture_on_commit_callbacks):
    Submission.objects.filter(id=two_graded[0].id).update(status="grading")
    with django_capture_on_commit_callbacks(execute=False):
        assert quiz_regrade_all(quiz=open_quiz, user=cast["instructor"]) == 1
    assert Submission.objects.get(id=two_graded[0].id).status == "grading"


def test_one_failed_submission_can_be_regraded(open_quiz, cast, two_graded, django_capture_on_commit_callbacks):
    failed = two_graded[1]
    Submission.objects.filter(id=failed.id).update(status="failed", error="boom")
    with django_capture_on_commit_callbacks(execute=False):
        submission_regrade_for_quiz(quiz=open_quiz, submission_id=failed.id, user=cast["instructor"])
    assert Submission.objects.get(id=failed.id).status == "pending"
    assert Submission.objects.get(id=two_graded[0].id).status == "graded"
    grade_queued()
    assert Submission.objects.get(id=failed.id).status == "graded"
    assert failed.current_grade.reason == "regrade"


def test_regrading_a_waiting_submission_or_one_of_another_quiz_is_refused(open_quiz, cast, two_graded):
    Submission.objects.filter(id=two_graded[0].id).update(status="pending")
    with pytest.raises(Conflict):
        submission_regrade_for_quiz(quiz=open_quiz, submission_id=two_graded[0].id, user=cast["instructor"])
    other = type(open_quiz).objects.create(course=open_quiz.course, title="Other", opens_at=open_quiz.opens_at,
                                           closes_at=open_quiz.closes_at)
    with pytest.raises(NotFound):
        submission_regrade_for_quiz(quiz=other, submission_id=two_graded[1].id, user=cast["instructor"])


def test_a_ta_may_not_regrade(open_quiz, cast, two_graded):
    with pytest.raises(NotAllowed):
        quiz_regrade_all(quiz=open_quiz, user=cast["ta"])
    with pytest.raises(NotAllowed):
        submission_regrade_for_quiz(quiz=open_quiz, submission_id=two_graded[0].id, user=cast["ta"])
    with pytest.raises(NotAllowed):
        variants_update_and_regrade(quiz=open_quiz, user=cast["ta"])


# ------------------------------------------------------------ a template fixed after the quiz started
@pytest.fixture
def fixed_after_grading(cast, django_capture_on_commit_callbacks):
    """student1 answered right (by the fixed template) and got the count wrong by the buggy v1; then v2 is published.
    student2 is still answering."""
    quiz = buggy_quiz(cast)
    attempt = attempt_start(quiz=quiz, student=cast["student1"])
    right = truly_right(attempt)
    submission = graded(quiz, cast["student1"], how=right, captured=django_capture_on_commit_callbacks)
    assert submission.current_grade.details["1"]["parts"]["count"]["score"] == 0.0
    attempt_start(quiz=quiz, student=cast["student2"])
    publish_fix(cast)
    return quiz, submission


def test_outdated_templates_name_the_old_and_new_versions_and_what_they_touch(fixed_after_grading):
    quiz, _ = fixed_after_grading
    [item] = outdated_templates(quiz=quiz)
    assert (item.slug, item.old_versions, item.new_version) == ("conv-output-size", [1], 2)
    assert (item.variants, item.submissions) == (2, 1)


def test_update_regenerates_variants_with_the_same_seed_and_regrades(fixed_after_grading, cast,
                                                                     django_capture_on_commit_callbacks):
    quiz, submission = fixed_after_grading
    seeds = dict(Variant.objects.values_list("id", "seed"))
    params = dict(Variant.objects.values_list("id", "data__params"))
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        report = variants_update_and_regrade(quiz=quiz, user=cast["instructor"])
    assert (report.variants, report.submissions, report.busy) == (2, 1, 0)
    assert len(enqueued) == 1
    for variant in Variant.objects.select_related("template_version"):
        assert variant.template_version.number == 2
        assert variant.seed == seeds[variant.id] and variant.data["params"] == params[variant.id]
    grade_queued()
    grade = Submission.objects.get(id=submission.id).current_grade
    assert grade.reason == "regrade" and grade.score == grade.max_score == 2
    assert Grade.objects.filter(submission=submission).count() == 2
    assert outdated_templates(quiz=quiz) == []


def test_updating_again_changes_nothing(fixed_after_grading, cast, django_capture_on_commit_callbacks):
    quiz, _ = fixed_after_grading
    with django_capture_on_commit_callbacks(execute=False):
        variants_update_and_regrade(quiz=quiz, user=cast["instructor"])
        again = variants_update_and_regrade(quiz=quiz, user=cast["instructor"])
    assert (again.variants, again.submissions) == (0, 0)


def test_a_new_version_that_cannot_generate_a_variant_changes_nothing(fixed_after_grading, cast):
    from quizapp.bank.services import template_import

    quiz, _ = fixed_after_grading
    impossible = FIXED_CONV.replace('  - "p < k"', '  - "p < k"\n  - "h < 0"')
    template_import(course=cast["course"], source=impossible, publish=True)
    with pytest.raises(ValidationFailed, match="nothing was changed"):
        variants_update_and_regrade(quiz=quiz, user=cast["instructor"])
    assert set(Variant.objects.values_list("template_version__number", flat=True)) == {1}
    assert Submission.objects.get().status == "graded"


# ------------------------------------------------------------ pages and API
def test_instructor_regrades_from_the_monitor_page(client, open_quiz, two_graded, django_capture_on_commit_callbacks):
    login(client, "instructor")
    page = client.get(reverse("teach-monitor", args=[open_quiz.id])).content.decode()
    assert 'id="regrade-all"' in page and page.count('class="link regrade-one"') == 2
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("teach-regrade-all", args=[open_quiz.id]), follow=True)
    assert "Queued 2 submission(s) for regrading." in response.content.decode()
    Submission.objects.update(status="graded")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("teach-regrade-submission", args=[open_quiz.id, two_graded[0].id]))
    assert response.status_code == 302
    assert Submission.objects.get(id=two_graded[0].id).status == "pending"


def test_the_monitor_offers_the_update_and_reports_the_counts(client, fixed_after_grading,
                                                             django_capture_on_commit_callbacks):
    quiz, _ = fixed_after_grading
    login(client, "instructor")
    page = client.get(reverse("teach-monitor", args=[quiz.id])).content.decode()
    assert 'id="update-variants"' in page and "conv-output-size" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("teach-update-variants", args=[quiz.id]), follow=True)
    assert "Updated 2 variant(s) to the latest published version; queued 1 submission(s)" in response.content.decode()


def test_the_ta_sees_the_monitor_without_buttons_and_gets_403_on_posts(client, fixed_after_grading, cast):
    quiz, submission = fixed_after_grading
    login(client, "ta")
    page = client.get(reverse("teach-monitor", args=[quiz.id])).content.decode()
    assert "regrade-all" not in page and "update-variants" not in page and "regrade-one" not in page
    for url in (reverse("teach-regrade-all", args=[quiz.id]), reverse("teach-update-variants", args=[quiz.id]),
                reverse("teach-regrade-submission", args=[quiz.id, submission.id]),
                f"/api/teach/quizzes/{quiz.id}/regrade/", f"/api/teach/quizzes/{quiz.id}/update-variants/"):
        assert client.post(url).status_code == 403, url
    assert Submission.objects.get().status == "graded"


@pytest.mark.parametrize("name", ["student1", "outsider"])
def test_students_get_404_on_every_regrade(client, fixed_after_grading, name):
    quiz, submission = fixed_after_grading
    login(client, name)
    for url in (reverse("teach-regrade-all", args=[quiz.id]), reverse("teach-update-variants", args=[quiz.id]),
                reverse("teach-regrade-submission", args=[quiz.id, submission.id]),
                f"/api/teach/quizzes/{quiz.id}/regrade/",
                f"/api/teach/quizzes/{quiz.id}/submissions/{submission.id}/regrade/"):
        assert client.post(url).status_code == 404, url
    assert Submission.objects.get().status == "graded"


def test_regrade_posts_need_the_csrf_token(open_quiz, two_graded):
    csrf_client = Client(enforce_csrf_checks=True)
    login(csrf_client, "instructor")
    assert csrf_client.post(reverse("teach-regrade-all", args=[open_quiz.id])).status_code == 403
    assert csrf_client.post(f"/api/teach/quizzes/{open_quiz.id}/regrade/").status_code == 403
    assert set(Submission.objects.values_list("status", flat=True)) == {"graded"}


def test_regrade_api_answers_with_counts(client, fixed_after_grading, django_capture_on_commit_callbacks):
    quiz, submission = fixed_after_grading
    login(client, "instructor")
    with django_capture_on_commit_callbacks(execute=False):
        body = client.post(f"/api/teach/quizzes/{quiz.id}/update-variants/")
    assert body.status_code == 202 and body.json() == {"variants": 2, "submissions": 1, "busy": 0}
    Submission.objects.update(status="graded")
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(f"/api/teach/quizzes/{quiz.id}/regrade/").json() == {"queued": 1}
        one = client.post(f"/api/teach/quizzes/{quiz.id}/submissions/{submission.id}/regrade/")
    assert one.status_code == 409 and one.json()["error"]["code"] == "conflict"
