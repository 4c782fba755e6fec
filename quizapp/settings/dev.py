"""Local development and the demo: DEBUG on, a development-only secret key."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

from quizapp.settings.base import *  # noqa: E402,F403
