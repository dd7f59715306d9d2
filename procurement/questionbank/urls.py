from django.urls import path

from procurement.questionbank import views

app_name = "questionbank"
urlpatterns = [
    # /banks/versions/<pk>/
    path("versions/<int:pk>/preview/", views.version_preview, name="version_preview"),
    path("versions/<int:pk>/compare/", views.version_compare, name="version_compare"),
    path("versions/<int:pk>/download/", views.version_download, name="version_download"),
    path("versions/<int:pk>/publish/", views.version_publish_page, name="version_publish"),
    path("versions/<int:pk>/copy/", views.version_copy, name="version_copy"),
    path("versions/<int:pk>/rules/", views.version_rules, name="version_rules"),
    path("versions/<int:pk>/upstream/", views.version_upstream_page, name="version_upstream"),
]
