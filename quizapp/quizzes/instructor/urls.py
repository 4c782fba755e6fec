from django.urls import path

from quizapp.quizzes.instructor import views

urlpatterns = [
    path("", views.teach_index, name="teach-index"),
    path("quizzes/<int:quiz_id>/", views.quiz_monitor, name="teach-monitor"),
]
