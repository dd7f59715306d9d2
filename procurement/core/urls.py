from django.urls import path

from procurement.core import views

# /accounts/
app_name = "accounts"
urlpatterns = [
    path("confirm/", views.confirm_password, name="confirm_password"),
    path("decision-rules/", views.decision_rules, name="decision_rules"),
]
