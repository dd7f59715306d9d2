from django.urls import path

from procurement.portal import staff_views, views

app_name = "portal"
urlpatterns = [
    path("leave/", views.leave, name="leave"),
    path("a/<int:pk>/", views.overview, name="overview"),
    path("a/<int:pk>/sections/<str:section>/", views.section_edit, name="section"),
    path("a/<int:pk>/questions/<str:code>/clarify/", views.clarify, name="clarify"),
    path("a/<int:pk>/submit/", views.submit, name="submit"),
    path("a/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    # The link mailed to the vendor; last, so no fixed path above is taken for a token.
    path("<str:token>/", views.enter, name="enter"),
]

staff_patterns = (
    [
        path("<int:pk>/vendor-links/", staff_views.invite, name="invite"),
        path("<int:pk>/vendor-links/<int:invitation_pk>/revoke/", staff_views.revoke, name="revoke"),
        path("<int:pk>/vendor-links/<int:invitation_pk>/resend/", staff_views.resend, name="resend"),
        path("<int:pk>/vendor-links/reopen/", staff_views.reopen, name="reopen"),
    ],
    "vendorlinks",
)
