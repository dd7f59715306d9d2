from django.urls import path

from procurement.assessments import decision_views, rescoring_views, views

app_name = "assessments"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_create, name="create"),
    # A bank version's effect on the organisation's recent assessments (and moving them to it).
    path("bank-versions/<int:pk>/", rescoring_views.bank_rescoring, name="bank_rescoring"),
    # /assessments/<pk>/
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/sections/<str:section>/", views.section_edit, name="section"),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/reviewers/", views.reviewers, name="reviewers"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/review/start/", views.review_start, name="review_start"),
    path("<int:pk>/review/override/", views.override, name="override"),
    path("<int:pk>/review/basis/", views.basis_confirm, name="basis_confirm"),
    path("<int:pk>/review/finding/", views.finding, name="finding"),
    path("<int:pk>/findings/<int:finding_pk>/", views.finding_detail, name="finding_detail"),
    path("<int:pk>/findings/<int:finding_pk>/update/", views.finding_update, name="finding_update"),
    path("<int:pk>/findings/<int:finding_pk>/verify/", views.finding_verify, name="finding_verify"),
    path("<int:pk>/findings/<int:finding_pk>/accept/", views.finding_accept, name="finding_accept"),
    path("<int:pk>/review/changes/", views.request_changes, name="request_changes"),
    path("<int:pk>/review/decide/", decision_views.decide, name="decide"),
    path("<int:pk>/review/accept/", decision_views.accept, name="accept"),
    path("<int:pk>/review/acceptances/request/", decision_views.acceptance_request, name="acceptance_request"),
    path(
        "<int:pk>/review/acceptances/<int:acceptance_pk>/decline/",
        decision_views.acceptance_decline,
        name="acceptance_decline",
    ),
    path("<int:pk>/review/sections/<str:section>/answers/", views.review_answers, name="review_answers"),
    path("<int:pk>/questions/<str:code>/history/", views.question_history, name="history"),
    path("<int:pk>/questions/<str:code>/comments/", views.comment, name="comment"),
    path("<int:pk>/questions/<str:code>/clarifications/", views.clarification, name="clarification"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path("<int:pk>/answers/import/", views.answers_import, name="import"),
    path("<int:pk>/answers/export/", views.answers_export, name="export"),
    path("<int:pk>/upgrade/", views.upgrade, name="upgrade"),
    path("<int:pk>/questions/<str:code>/chain/", views.chain_from_answer, name="chain_from_answer"),
]
