from django.urls import path

from procurement.portfolio import evidence_views
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
    # /vendors/<pk>/evidence/  (the evidence register) and the model lifecycle
    path("<int:pk>/evidence/", evidence_views.vendor_evidence, name="evidence"),
    path("<int:pk>/evidence/<int:doc_pk>/", evidence_views.document_edit, name="document_edit"),
    path("<int:pk>/evidence/<int:doc_pk>/download/", evidence_views.document_download, name="document_download"),
    path("<int:pk>/evidence/<int:doc_pk>/soc2-review/", evidence_views.soc2_review, name="soc2_review"),
    path("<int:pk>/model-notices/", evidence_views.model_notice_import, name="model_notice_import"),
    path("<int:pk>/model-notices/template.csv", evidence_views.model_notice_template, name="model_notice_template"),
    path("<int:pk>/services/<int:service_pk>/model/", evidence_views.model_lifecycle_edit, name="model_lifecycle"),
    path("<int:pk>/status/", views.vendor_status, name="vendor_status"),
    # /vendors/<pk>/services/<service_pk>/contract/ and lifecycle
    path("<int:pk>/services/<int:service_pk>/contract/", views.contract_edit, name="contract_edit"),
    path(
        "<int:pk>/services/<int:service_pk>/contract/documents/",
        views.contract_document_add,
        name="contract_document_add",
    ),
    path(
        "<int:pk>/services/<int:service_pk>/contract/documents/<int:link_pk>/",
        views.contract_document,
        name="contract_document",
    ),
    path(
        "<int:pk>/services/<int:service_pk>/contract/documents/<int:link_pk>/remove/",
        views.contract_document_remove,
        name="contract_document_remove",
    ),
    path("<int:pk>/services/<int:service_pk>/status/", views.service_status, name="service_status"),
    path(
        "<int:pk>/services/<int:service_pk>/offboarding/<slug:step>/",
        views.offboarding_step,
        name="offboarding_step",
    ),
    path(
        "<int:pk>/services/<int:service_pk>/offboarding-certificate/",
        views.offboarding_certificate,
        name="offboarding_certificate",
    ),
    path("<int:pk>/services/<int:service_pk>/end/", views.service_end, name="service_end"),
    path("providers/", views.provider_list, name="providers"),
    path("providers/<int:provider_pk>/", views.provider_detail, name="provider"),
    path("providers/<int:provider_pk>/delete/", views.provider_remove, name="provider_delete"),
]
