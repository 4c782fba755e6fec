from django.urls import path

from quizapp.quizzes.instructor import api

urlpatterns = [
    path("quizzes/<int:quiz_id>/monitor/", api.QuizMonitorApi.as_view(), name="api-teach-monitor"),
    path("quizzes/<int:quiz_id>/statistics/", api.ItemStatisticsApi.as_view(), name="api-teach-stats"),
    path("quizzes/<int:quiz_id>/regrade/", api.QuizRegradeApi.as_view(), name="api-teach-regrade"),
    path("quizzes/<int:quiz_id>/submissions/<int:submission_id>/regrade/", api.SubmissionRegradeApi.as_view(),
         name="api-teach-regrade-submission"),
    path("quizzes/<int:quiz_id>/update-variants/", api.VariantUpdateApi.as_view(), name="api-teach-update-variants"),
]
