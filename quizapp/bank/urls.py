from django.urls import path

from quizapp.bank import views

urlpatterns = [
    path("", views.template_list, name="bank-list"),
    path("new/", views.template_create, name="bank-create"),
    path("<int:template_id>/edit/", views.template_edit, name="bank-edit"),
    path("versions/<int:version_id>/preview/", views.version_preview, name="bank-version-preview"),
    path("versions/<int:version_id>/validate/", views.version_validate, name="bank-version-validate"),
    path("versions/<int:version_id>/publish/", views.version_publish, name="bank-version-publish"),
]
