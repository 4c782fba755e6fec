from django.urls import path

from quizapp.bank import api

urlpatterns = [
    path("templates/", api.TemplateListApi.as_view(), name="api-bank-templates"),
    path("check/", api.TemplateCheckApi.as_view(), name="api-bank-check"),
]
