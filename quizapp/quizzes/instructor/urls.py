from django.urls import path

from quizapp.quizzes.instructor import views

urlpatterns = [
    path("", views.teach_index, name="teach-index"),
    path("courses/<slug:course_code>/quizzes/new/", views.quiz_create, name="teach-quiz-create"),
    path("quizzes/<int:quiz_id>/edit/", views.quiz_edit, name="teach-quiz-edit"),
    path("quizzes/<int:quiz_id>/", views.quiz_monitor, name="teach-monitor"),
    path("quizzes/<int:quiz_id>/statistics/", views.quiz_stats, name="teach-stats"),
    path("quizzes/<int:quiz_id>/grades.csv", views.grades_csv, name="teach-grades-csv"),
    path("quizzes/<int:quiz_id>/regrade/", views.quiz_regrade_all, name="teach-regrade-all"),
    path("quizzes/<int:quiz_id>/submissions/<int:submission_id>/regrade/", views.submission_regrade,
         name="teach-regrade-submission"),
    path("quizzes/<int:quiz_id>/update-variants/", views.variants_update, name="teach-update-variants"),
]
