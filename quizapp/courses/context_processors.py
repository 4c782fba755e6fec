from quizapp.courses.models import Membership
from quizapp.courses.selectors import STAFF_ROLES


def roles(request):  # type: ignore[no-untyped-def]
    """``is_course_staff``: the user teaches some course (shows the Teaching and Question bank links)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_course_staff": False}
    return {"is_course_staff": Membership.objects.filter(user=user, role__in=STAFF_ROLES).exists()}
