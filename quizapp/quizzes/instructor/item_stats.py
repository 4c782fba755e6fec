"""Item statistics of a quiz, per slot and per template version, from each submission's current grade.

- difficulty: the mean score fraction of the item (1.0: everybody got it right);
- discrimination: the point-biserial (Pearson) correlation between the item's score fraction and
  the student's score on the rest of the quiz; None when undefined (fewer than two answers, or
  no spread in either);
- unanswered / unreadable: the share of answer parts left blank / that could not be read
  (format errors, which are never graded as wrong answers).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from quizapp.quizzes.models import Grade, Quiz, Submission, Variant


@dataclass
class _Observations:
    item: list[float] = field(default_factory=list)  # score fraction of the item, per answer
    rest: list[float] = field(default_factory=list)  # points on the rest of the quiz, per answer
    parts: int = 0
    unanswered: int = 0
    unreadable: int = 0


@dataclass(frozen=True)
class ItemStats:
    label: str
    answers: int
    difficulty: float | None
    discrimination: float | None
    unanswered: float | None
    unreadable: float | None


@dataclass(frozen=True)
class SlotStats:
    position: int
    points: float
    overall: ItemStats
    versions: list[ItemStats]


def point_biserial(item: list[float], rest: list[float]) -> float | None:
    """Pearson correlation of two equally long lists; None when it is undefined."""
    n = len(item)
    if n < 2:
        return None
    mean_x, mean_y = sum(item) / n, sum(rest) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(item, rest, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in item)
    syy = sum((y - mean_y) ** 2 for y in rest)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def _summary(label: str, obs: _Observations) -> ItemStats:
    n = len(obs.item)
    return ItemStats(
        label=label, answers=n, difficulty=sum(obs.item) / n if n else None,
        discrimination=point_biserial(obs.item, obs.rest),
        unanswered=obs.unanswered / obs.parts if obs.parts else None,
        unreadable=obs.unreadable / obs.parts if obs.parts else None,
    )


def _observe(obs: _Observations, *, result: dict, answers: dict, total: float) -> None:  # type: ignore[type-arg]
    points = float(result.get("points") or 0)
    earned = float(result.get("earned") or 0)
    if points:
        fraction = earned / points
    else:
        fraction = float(result["score"]) / float(result["max_score"]) if result.get("max_score") else 0.0
    obs.item.append(fraction)
    obs.rest.append(total - earned)
    for key in result.get("parts", {}):
        obs.parts += 1
        if not str(answers.get(key) or "").strip():
            obs.unanswered += 1
        elif key in result.get("format_errors", {}):
            obs.unreadable += 1


def item_statistics(*, quiz: Quiz) -> list[SlotStats]:
    newest_first = Grade.objects.order_by("-created_at", "-id")
    submissions = (
        Submission.objects.filter(attempt__quiz=quiz, status=Submission.Status.GRADED)
        .prefetch_related(Prefetch("grades", queryset=newest_first),
                          Prefetch("attempt__variants", queryset=Variant.objects.select_related("template_version__template")))
    )
    by_slot: dict[int, _Observations] = defaultdict(_Observations)
    by_version: dict[int, dict[tuple[str, int], _Observations]] = defaultdict(lambda: defaultdict(_Observations))
    for submission in submissions:
        grades = list(submission.grades.all())
        if not grades:
            continue
        grade = grades[0]
        total = float(grade.score)
        for variant in submission.attempt.variants.all():
            result = grade.details.get(str(variant.position))
            if result is None:
                continue
            answers = submission.answers.get(str(variant.position), {})
            version = (variant.template_version.template.slug, variant.template_version.number)
            for obs in (by_slot[variant.slot_id], by_version[variant.slot_id][version]):
                _observe(obs, result=result, answers=answers, total=total)
    return [
        SlotStats(
            position=slot.position, points=float(slot.points),
            overall=_summary(f"Question {slot.position}", by_slot[slot.id]),
            versions=[_summary(f"{slug} v{number}", obs) for (slug, number), obs in sorted(by_version[slot.id].items())],
        )
        for slot in quiz.slots.order_by("position")
    ]
