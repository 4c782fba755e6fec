from django.http import JsonResponse
from django.views.decorators.http import require_GET

from quizapp.core.health import health_report


@require_GET
def healthz(request):  # type: ignore[no-untyped-def]
    healthy, body = health_report()
    return JsonResponse(body, status=200 if healthy else 503)
