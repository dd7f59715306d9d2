from django.urls import path

from procurement.vendors import views

app_name = "vendors"
urlpatterns = [
    path("", views.vendor_list, name="list"),
    path("new/", views.vendor_edit, name="create"),
    # /vendors/<pk>/
    path("<int:pk>/", views.vendor_detail, name="detail"),
    path("<int:pk>/edit/", views.vendor_edit, name="edit"),
    path("<int:pk>/services/new/", views.service_edit, name="service_create"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_create"),
    path("<int:pk>/services/<int:service_pk>/edit/", views.service_edit, name="service_edit"),
]
