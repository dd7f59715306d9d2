from django.urls import path

from procurement.core import views

# /account/
app_name = "account"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
]
