"""Reachability of the database, Redis and at least one Celery worker."""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings
from django.db import connection


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _redis() -> dict[str, Any]:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()
    return {"ok": True}


def _worker() -> dict[str, Any]:
    from grader.celery_app import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=1)
        replies = app.control.ping(timeout=1.0, connection=conn) or []
    return {"ok": bool(replies), "workers": sorted(name for reply in replies for name in reply)}


def health_report() -> tuple[bool, dict[str, Any]]:
    checks: dict[str, Any] = {}
    for name, check in (("database", _database), ("redis", _redis), ("worker", _worker)):
        try:
            checks[name] = check()
        except Exception as exc:  # reported, not raised: this is the health endpoint
            checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    healthy = all(c["ok"] for c in checks.values())
    return healthy, {"status": "ok" if healthy else "unavailable", "checks": checks}
