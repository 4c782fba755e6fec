from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from quizapp.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include("quizapp.quizzes.api_urls")),
    path("api/bank/", include("quizapp.bank.api_urls")),
    path("api/teach/", include("quizapp.quizzes.instructor.api_urls")),
    path("bank/", include("quizapp.bank.urls")),
    path("teach/", include("quizapp.quizzes.instructor.urls")),
    path("", include("quizapp.quizzes.urls")),
]
