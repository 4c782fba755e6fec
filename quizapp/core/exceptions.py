"""The one family of domain errors, and the one JSON shape they take in the API.

Services raise these; views never catch them. The DRF handler below (and the
page middleware for HTML views) turn them into ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """Base of every business-rule error; ``message`` is one sentence for a human."""

    code = "error"
    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(DomainError):
    code = "invalid"


class NotAllowed(DomainError):
    code = "forbidden"
    http_status = status.HTTP_403_FORBIDDEN


class NotFound(DomainError):
    code = "not_found"
    http_status = status.HTTP_404_NOT_FOUND


class Conflict(DomainError):
    code = "conflict"
    http_status = status.HTTP_409_CONFLICT


class DeadlinePassed(Conflict):
    code = "deadline_passed"


class QuizNotOpen(Conflict):
    code = "quiz_not_open"


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.http_status)
    response = exception_handler(exc, context)
    if response is not None:
        detail = response.data
        message = detail.get("detail") if isinstance(detail, dict) and "detail" in detail else "The request is invalid."
        details = None if isinstance(detail, dict) and set(detail) == {"detail"} else {"fields": detail}
        code = getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(message), details)
    return response
