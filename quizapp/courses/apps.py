from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "quizapp.courses"
    label = "courses"
