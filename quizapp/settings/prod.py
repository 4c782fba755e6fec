"""Production: every secret comes from the environment, no defaults."""

from __future__ import annotations

from quizapp.settings.base import *  # noqa: F403
from quizapp.settings.base import env

SECRET_KEY = env("SECRET_KEY")  # no default: a missing key stops the start
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
