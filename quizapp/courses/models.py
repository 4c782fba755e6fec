from django.conf import settings
from django.db import models


class Course(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class Membership(models.Model):
    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", "Instructor"
        TA = "ta", "Teaching assistant"
        STUDENT = "student", "Student"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="one_membership_per_course")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.course.code}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in (self.Role.INSTRUCTOR, self.Role.TA)
