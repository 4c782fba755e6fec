from django.urls import path

from quizapp.quizzes import api

urlpatterns = [
    path("quizzes/", api.QuizListApi.as_view(), name="api-quizzes"),
    path("quizzes/<int:quiz_id>/attempts/", api.AttemptStartApi.as_view(), name="api-attempt-start"),
    path("attempts/<int:attempt_id>/", api.AttemptDetailApi.as_view(), name="api-attempt"),
    path("attempts/<int:attempt_id>/answers/", api.AnswerSaveApi.as_view(), name="api-answer-save"),
    path("attempts/<int:attempt_id>/submit/", api.AttemptSubmitApi.as_view(), name="api-attempt-submit"),
    path("attempts/<int:attempt_id>/result/", api.AttemptResultApi.as_view(), name="api-attempt-result"),
]
