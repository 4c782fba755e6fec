from django.urls import path

from quizapp.quizzes.instructor import api

urlpatterns = [
    path("quizzes/<int:quiz_id>/monitor/", api.QuizMonitorApi.as_view(), name="api-teach-monitor"),
]
