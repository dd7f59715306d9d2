from django.urls import path

from procurement.core import notification_views

# /accounts/notifications/
app_name = "notifications"
urlpatterns = [
    path("", notification_views.preferences, name="preferences"),
]
