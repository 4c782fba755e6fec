"""Variant seeds: deterministic per (quiz, student, attempt, slot), unguessable without the server secret."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def variant_seed(*, quiz_id: int, student_id: int, attempt_number: int, slot_id: int) -> int:
    message = f"{quiz_id}:{student_id}:{attempt_number}:{slot_id}".encode()
    digest = hmac.new(settings.VARIANT_SECRET.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # 63 bits: fits a signed BIGINT
