"""Student pages: thin views over the quizzes services and selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from quizapp.core.exceptions import ValidationFailed
from quizapp.quizzes import selectors, services
from quizapp.quizzes.forms import AnswerForm
from quizapp.quizzes.models import Attempt, Quiz


@login_required
@require_GET
def dashboard(request):  # type: ignore[no-untyped-def]
    cards = selectors.quiz_list_for_student(user=request.user)
    return render(request, "quizzes/dashboard.html", {"cards": cards})


@login_required
@require_POST
def quiz_start(request, quiz_id: int):  # type: ignore[no-untyped-def]
    quiz = get_object_or_404(Quiz, id=quiz_id, published=True)
    attempt = services.attempt_start(quiz=quiz, student=request.user)
    return redirect("attempt", attempt_id=attempt.id)


@login_required
@require_GET
def attempt_page(request, attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = selectors.attempt_for_student(attempt_id=attempt_id, user=request.user)
    if attempt.status == Attempt.Status.IN_PROGRESS and attempt.is_past_deadline():
        services.attempts_close_expired()
        attempt.refresh_from_db()
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("attempt-result", attempt_id=attempt.id)
    questions = selectors.attempt_questions(attempt=attempt)
    return render(request, "quizzes/attempt.html", {"attempt": attempt, "questions": questions, "now": timezone.now()})


@login_required
@require_POST
def answer_save(request, attempt_id: int):  # type: ignore[no-untyped-def]
    data = request.POST.copy()
    if len(data.getlist("raw")) > 1:  # checkboxes of a multiple-choice part
        data["raw"] = ",".join(data.getlist("raw"))
    form = AnswerForm(data)
    if not form.is_valid():
        raise ValidationFailed("The answer could not be read; please type it again.")
    answer = services.answer_save(attempt_id=attempt_id, student=request.user, **form.cleaned_data)
    format_error = selectors.answer_format_error(answer=answer)
    return render(request, "partials/saved.html", {"answer": answer, "format_error": format_error})


@login_required
@require_POST
def attempt_submit(request, attempt_id: int):  # type: ignore[no-untyped-def]
    services.attempt_submit(attempt_id=attempt_id, student=request.user)
    return redirect("attempt-result", attempt_id=attempt_id)


@login_required
@require_GET
def attempt_result(request, attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = selectors.attempt_for_student(attempt_id=attempt_id, user=request.user)
    result = selectors.attempt_result(attempt=attempt)
    template = "quizzes/_result_body.html" if request.htmx else "quizzes/result.html"
    return render(request, template, {"attempt": attempt, "result": result})
