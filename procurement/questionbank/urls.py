from django.urls import path

from procurement.questionbank import views

app_name = "questionbank"
urlpatterns = [
    # /banks/versions/<pk>/
    path("versions/<int:pk>/preview/", views.version_preview, name="version_preview"),
]
