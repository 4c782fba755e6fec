"""Which quizzes a member of course staff may see or change.

Somebody who is not staff of the quiz's course gets "not found" (no hint that the quiz exists);
a TA who tries an instructor's action gets "not allowed".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from quizapp.core.exceptions import NotAllowed, NotFound
from quizapp.courses.models import Course
from quizapp.courses.selectors import STAFF_ROLES, courses_for_user, is_course_instructor, is_course_staff
from quizapp.quizzes.models import Quiz

User = AbstractBaseUser | AnonymousUser


def quiz_for_staff(*, quiz_id: int, user: User) -> Quiz:
    """The quiz, for a TA or instructor of its course."""
    quiz = Quiz.objects.select_related("course").filter(id=quiz_id).first()
    if quiz is None or not is_course_staff(user=user, course=quiz.course):
        raise NotFound("No such quiz.")
    return quiz


def quiz_for_instructor(*, quiz_id: int, user: User) -> Quiz:
    """The quiz, for an instructor of its course (a TA may look but not change)."""
    quiz = quiz_for_staff(quiz_id=quiz_id, user=user)
    instructor_required(user=user, course=quiz.course)
    return quiz


def instructor_required(*, user: User, course: Course) -> None:
    if not is_course_instructor(user=user, course=course):
        raise NotAllowed("Only the course's instructors can do this.")


def course_for_instructor(*, course_code: str, user: User) -> Course:
    course = Course.objects.filter(code=course_code).first()
    if course is None or not is_course_staff(user=user, course=course):
        raise NotFound("No such course.")
    instructor_required(user=user, course=course)
    return course


def quizzes_for_staff(*, user: AbstractBaseUser) -> QuerySet[Quiz]:
    """Quizzes of every course where ``user`` is a TA or instructor, newest first within a course."""
    courses = courses_for_user(user=user, roles=STAFF_ROLES)
    return Quiz.objects.filter(course__in=courses).select_related("course").order_by("course__code", "-opens_at")


@dataclass(frozen=True)
class CourseQuizzes:
    course: Course
    is_instructor: bool
    quizzes: list[Quiz]


def teaching_overview(*, user: AbstractBaseUser) -> list[CourseQuizzes]:
    """Every course where ``user`` is staff, with its quizzes (latest opening first)."""
    quizzes = list(quizzes_for_staff(user=user))
    return [CourseQuizzes(course=c, is_instructor=is_course_instructor(user=user, course=c),
                          quizzes=[q for q in quizzes if q.course_id == c.id])
            for c in courses_for_user(user=user, roles=STAFF_ROLES)]
