"""Settings: no misspelled Celery names, no eager Celery, production needs its secrets."""

from __future__ import annotations

import os
import subprocess
import sys

from celery.app.defaults import DEFAULTS
from django.conf import settings

from tests.conftest import ROOT


def test_every_celery_setting_name_is_one_celery_knows():
    known = {f"CELERY_{key.upper()}" for key in DEFAULTS}
    ours = {name for name in dir(settings) if name.startswith("CELERY_")}
    assert ours, "no CELERY_ settings found"
    assert ours <= known, f"misspelled Celery settings: {sorted(ours - known)}"


def test_celery_is_never_eager():
    assert not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "quizapp.settings.prod"
    out = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr
