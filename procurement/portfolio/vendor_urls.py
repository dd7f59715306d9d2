from django.urls import path

from procurement.portfolio import vendor_views as views

# /vendors/  (records from procurement.vendors; the pages read assessments too, so they live here)
app_name = "vendors"
urlpatterns = [
    path("", views.vendor_list, name="list"),
    path("new/", views.vendor_edit, name="create"),
    path("import/", views.vendor_import, name="import"),
    path("import/template.csv", views.vendor_import_template, name="import_template"),
    # /vendors/<pk>/
    path("<int:pk>/", views.vendor_detail, name="detail"),
    path("<int:pk>/edit/", views.vendor_edit, name="edit"),
    path("<int:pk>/services/new/", views.service_edit, name="service_create"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_create"),
    path("<int:pk>/services/<int:service_pk>/", views.service_detail, name="service"),
    path("<int:pk>/services/<int:service_pk>/edit/", views.service_edit, name="service_edit"),
    path("<int:pk>/services/<int:service_pk>/links/", views.link_add, name="link_add"),
    path("<int:pk>/services/<int:service_pk>/links/<int:link_pk>/delete/", views.link_remove, name="link_remove"),
    path("<int:pk>/services/<int:service_pk>/providers/", views.provider_add, name="provider_add"),
    path("providers/", views.provider_list, name="providers"),
    path("providers/<int:provider_pk>/", views.provider_detail, name="provider"),
    path("providers/<int:provider_pk>/delete/", views.provider_remove, name="provider_delete"),
]
