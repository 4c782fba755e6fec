from django.urls import path

from quizapp.quizzes import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("quizzes/<int:quiz_id>/start/", views.quiz_start, name="quiz-start"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/answers/", views.answer_save, name="answer-save"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="attempt-submit"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="attempt-result"),
]
