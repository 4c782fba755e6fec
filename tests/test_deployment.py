"""docker-compose.yml defines the production stack with the commands dev.py runs (static check:
no Docker engine runs here)."""

from __future__ import annotations

import yaml

from dev import WEB_COMMAND, WORKER_COMMAND
from tests.conftest import ROOT


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_text(service) -> str:
    cmd = service["command"]
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def test_compose_defines_web_worker_redis_and_postgres_16_with_health_checks():
    services = compose()["services"]
    assert {"web", "worker", "redis", "db"} <= set(services)
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"].startswith("redis")
    for name in ("web", "worker", "redis", "db"):
        assert "test" in services[name]["healthcheck"], name


def test_compose_web_runs_gunicorn_and_worker_runs_celery_as_dev_py_does():
    services = compose()["services"]
    assert " ".join(WEB_COMMAND) in command_text(services["web"])
    assert command_text(services["worker"]).startswith(" ".join(WORKER_COMMAND))


def test_compose_app_services_use_postgres_and_redis_urls():
    services = compose()["services"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["DJANGO_SETTINGS_MODULE"] == "quizapp.settings.prod"


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text()[:1500]
    assert "python3 dev.py run" in head and "python3 dev.py test" in head
    assert "python3 dev.py test" in (ROOT / ".ci" / "run").read_text()


def test_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert "/api/attempts/{attempt_id}/submit/" in schema["paths"]
