"""Turn domain errors raised under HTML views into one rendered error (page or htmx fragment)."""

from __future__ import annotations

from django.shortcuts import render

from quizapp.core.exceptions import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        return self.get_response(request)

    def process_exception(self, request, exception):  # type: ignore[no-untyped-def]
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = "partials/error.html" if getattr(request, "htmx", False) else "error.html"
        return render(request, template, {"error": exception}, status=exception.http_status)
