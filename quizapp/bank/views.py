"""TA and instructor pages of the question bank: list, edit, preview, validate, publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizapp.bank import selectors, services
from quizapp.bank.forms import TemplateSourceForm
from quizapp.core.exceptions import NotAllowed
from quizapp.courses.selectors import STAFF_ROLES, courses_for_user

PREVIEW_COUNT = 20
VALIDATION_CHUNK = 25


@login_required
@require_GET
def template_list(request):  # type: ignore[no-untyped-def]
    topic, query = request.GET.get("topic") or None, request.GET.get("q") or None
    templates = selectors.templates_for_staff(user=request.user, topic=topic, query=query)
    staff_courses = courses_for_user(user=request.user, roles=STAFF_ROLES)
    if not staff_courses.exists():
        raise NotAllowed("Only teaching assistants and instructors can see the question bank.")
    return render(request, "bank/template_list.html", {
        "templates": templates, "topics": selectors.topics_for_staff(user=request.user), "topic": topic, "q": query or "",
    })


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request):  # type: ignore[no-untyped-def]
    courses = courses_for_user(user=request.user, roles=STAFF_ROLES)
    if not courses.exists():
        raise NotAllowed("Only teaching assistants and instructors can write templates.")
    form = TemplateSourceForm(request.POST or None, courses=courses, initial={"source": services.NEW_TEMPLATE})
    if request.method == "POST" and form.is_valid():
        version = services.template_import(course=form.cleaned_data["course"], source=form.cleaned_data["source"],
                                           author=request.user, origin="editor")
        messages.success(request, f"Saved {version.template.slug} v{version.number} as a draft.")
        return redirect("bank-version-preview", version_id=version.id)
    return render(request, "bank/template_edit.html", {"form": form, "template": None})


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, template_id: int):  # type: ignore[no-untyped-def]
    template = selectors.template_for_staff(template_id=template_id, user=request.user)
    latest = template.latest_version
    form = TemplateSourceForm(request.POST or None, initial={"source": latest.source if latest else ""})
    if request.method == "POST" and form.is_valid():
        version = services.template_import(course=template.course, source=form.cleaned_data["source"],
                                           author=request.user, origin="editor", expected_slug=template.slug)
        messages.success(request, f"Saved {version.template.slug} v{version.number} ({version.get_status_display()}).")
        return redirect("bank-version-preview", version_id=version.id)
    return render(request, "bank/template_edit.html", {"form": form, "template": template, "latest": latest})


@login_required
@require_GET
def version_preview(request, version_id: int):  # type: ignore[no-untyped-def]
    version = selectors.version_for_staff(version_id=version_id, user=request.user)
    start = max(0, int(request.GET.get("start", "0") or 0))
    variants = selectors.template_preview_variants(version=version, start=start, count=PREVIEW_COUNT)
    return render(request, "bank/version_preview.html", {
        "version": version, "template": version.template, "variants": variants,
        "start": start, "next_start": start + PREVIEW_COUNT, "count": PREVIEW_COUNT,
    })


@login_required
@require_GET
def version_validate(request, version_id: int):  # type: ignore[no-untyped-def]
    """One chunk of the N-variant validation; the fragment asks for the next chunk (progress bar)."""
    version = selectors.version_for_staff(version_id=version_id, user=request.user)
    total = min(max(int(request.GET.get("n", "200") or 200), 1), 5000)
    done = max(0, int(request.GET.get("done", "0") or 0))
    errors_so_far = int(request.GET.get("errors", "0") or 0)
    chunk = min(VALIDATION_CHUNK, total - done)
    problems = selectors.template_validate_chunk(version=version, start=done, count=chunk) if chunk > 0 else []
    done += max(chunk, 0)
    return render(request, "bank/_validation_progress.html", {
        "version": version, "total": total, "done": done, "problems": problems[:20],
        "errors": errors_so_far + len(problems), "percent": int(100 * done / total), "finished": done >= total,
    })


@login_required
@require_POST
def version_publish(request, version_id: int):  # type: ignore[no-untyped-def]
    version = selectors.version_for_staff(version_id=version_id, user=request.user)
    services.template_version_publish(version=version)
    messages.success(request, f"Published {version.template.slug} v{version.number}.")
    return redirect("bank-version-preview", version_id=version.id)
