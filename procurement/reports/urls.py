from django.urls import path

from procurement.reports import views

app_name = "reports"
urlpatterns = [
    # /reports/<pk>/
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/generate/", views.generate, name="generate"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/pdf/<str:digest>/", views.download, name="download"),
    path("<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/export.json", views.export_json, name="export_json"),
]
