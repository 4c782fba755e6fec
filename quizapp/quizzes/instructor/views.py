"""Pages of course staff: thin views over the instructor selectors and services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from quizapp.core.exceptions import NotAllowed
from quizapp.courses.selectors import is_course_instructor
from quizapp.quizzes.instructor import access
from quizapp.quizzes.instructor.monitor import grading_monitor


@login_required
@require_GET
def teach_index(request):  # type: ignore[no-untyped-def]
    courses = access.courses_taught(user=request.user)
    if not courses:
        raise NotAllowed("Only teaching assistants and instructors can see this page.")
    quizzes = access.quizzes_for_staff(user=request.user)
    return render(request, "instructor/index.html", {"courses": courses, "quizzes": quizzes})


@login_required
@require_GET
def quiz_monitor(request, quiz_id: int):  # type: ignore[no-untyped-def]
    quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
    context = {"quiz": quiz, "monitor": grading_monitor(quiz=quiz), "can_change": _can_change(request, quiz)}
    template = "instructor/_monitor_body.html" if request.htmx else "instructor/monitor.html"
    return render(request, template, context)


def _can_change(request, quiz) -> bool:  # type: ignore[no-untyped-def]
    return is_course_instructor(user=request.user, course=quiz.course)
