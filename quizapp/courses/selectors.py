"""Who may do what in which course."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from quizapp.courses.models import Course, Membership

STAFF_ROLES = (Membership.Role.INSTRUCTOR, Membership.Role.TA)


def role_in_course(*, user: AbstractBaseUser | AnonymousUser, course: Course) -> str | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, course=course).values_list("role", flat=True).first()


def is_course_staff(*, user: AbstractBaseUser | AnonymousUser, course: Course) -> bool:
    return role_in_course(user=user, course=course) in STAFF_ROLES


def is_course_instructor(*, user: AbstractBaseUser | AnonymousUser, course: Course) -> bool:
    return role_in_course(user=user, course=course) == Membership.Role.INSTRUCTOR


def courses_for_user(*, user: AbstractBaseUser, roles: tuple[str, ...] | None = None):
    memberships = Membership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Course.objects.filter(id__in=memberships.values("course_id")).order_by("code")
