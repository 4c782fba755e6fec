"""Pages of course staff: thin views over the instructor selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizapp.core.exceptions import NotAllowed
from quizapp.courses.selectors import is_course_instructor
from quizapp.quizzes.instructor import access, builder, regrade
from quizapp.quizzes.instructor.forms import QuizBuilder
from quizapp.quizzes.instructor.gradebook import gradebook_csv, gradebook_filename
from quizapp.quizzes.instructor.item_stats import item_statistics
from quizapp.quizzes.instructor.monitor import grading_monitor


@login_required
@require_GET
def teach_index(request):  # type: ignore[no-untyped-def]
    courses = access.teaching_overview(user=request.user)
    if not courses:
        raise NotAllowed("Only teaching assistants and instructors can see this page.")
    return render(request, "instructor/index.html", {"courses": courses})


@login_required
@require_GET
def quiz_monitor(request, quiz_id: int):  # type: ignore[no-untyped-def]
    quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
    context = {"quiz": quiz, "monitor": grading_monitor(quiz=quiz), "can_change": _can_change(request, quiz),
               "outdated": regrade.outdated_templates(quiz=quiz)}
    template = "instructor/_monitor_body.html" if request.htmx else "instructor/monitor.html"
    return render(request, template, context)


@login_required
@require_GET
def quiz_stats(request, quiz_id: int):  # type: ignore[no-untyped-def]
    quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
    return render(request, "instructor/stats.html", {
        "quiz": quiz, "slots": item_statistics(quiz=quiz), "can_change": _can_change(request, quiz),
    })


@login_required
@require_GET
def grades_csv(request, quiz_id: int):  # type: ignore[no-untyped-def]
    quiz = access.quiz_for_instructor(quiz_id=quiz_id, user=request.user)
    response = HttpResponse(gradebook_csv(quiz=quiz), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{gradebook_filename(quiz=quiz)}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def quiz_create(request, course_code: str):  # type: ignore[no-untyped-def]
    course = access.course_for_instructor(course_code=course_code, user=request.user)
    forms = QuizBuilder(request.POST or None, course=course)
    if request.method == "POST" and forms.is_valid():
        quiz = builder.quiz_create(course=course, user=request.user, fields=forms.quiz_fields(), slots=forms.slot_specs())
        messages.success(request, f"Created the quiz {quiz.title}.")
        return redirect("teach-quiz-edit", quiz_id=quiz.id)
    return render(request, "instructor/builder.html", {"builder": forms, "course": course, "quiz": None})


@login_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request, quiz_id: int):  # type: ignore[no-untyped-def]
    quiz = access.quiz_for_instructor(quiz_id=quiz_id, user=request.user)
    forms = QuizBuilder(request.POST or None, course=quiz.course, quiz=quiz)
    if request.method == "POST" and forms.is_valid():
        quiz = builder.quiz_update(quiz=quiz, user=request.user, fields=forms.quiz_fields(), slots=forms.slot_specs())
        messages.success(request, f"Saved the quiz {quiz.title}.")
        return redirect("teach-quiz-edit", quiz_id=quiz.id)
    return render(request, "instructor/builder.html", {
        "builder": forms, "course": quiz.course, "quiz": quiz, "can_change": True, "tab": "edit",
    })


@login_required
@require_POST
def quiz_regrade_all(request, quiz_id: int):  # type: ignore[no-untyped-def]
    quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
    count = regrade.quiz_regrade_all(quiz=quiz, user=request.user)
    messages.success(request, f"Queued {count} submission(s) for regrading.")
    return redirect("teach-monitor", quiz_id=quiz.id)


@login_required
@require_POST
def submission_regrade(request, quiz_id: int, submission_id: int):  # type: ignore[no-untyped-def]
    quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
    submission = regrade.submission_regrade_for_quiz(quiz=quiz, submission_id=submission_id, user=request.user)
    messages.success(request, f"Queued the submission of {submission.attempt.student.username} for regrading.")
    return redirect("teach-monitor", quiz_id=quiz.id)


@login_required
@require_POST
def variants_update(request, quiz_id: int):  # type: ignore[no-untyped-def]
    quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
    report = regrade.variants_update_and_regrade(quiz=quiz, user=request.user)
    text = f"Updated {report.variants} variant(s) to the latest published version; queued {report.submissions} submission(s) for regrading."
    if report.busy:
        text += f" {report.busy} submission(s) were being graded: regrade them once they finish."
    messages.success(request, text)
    return redirect("teach-monitor", quiz_id=quiz.id)


def _can_change(request, quiz) -> bool:  # type: ignore[no-untyped-def]
    return is_course_instructor(user=request.user, course=quiz.course)
