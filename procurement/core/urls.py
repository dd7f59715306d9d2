from django.urls import path

from procurement.core import calendar_feed_views, member_views, sso_views, token_views, views, webhook_views

# /accounts/
app_name = "accounts"
urlpatterns = [
    path("confirm/", views.confirm_password, name="confirm_password"),
    path("decision-rules/", views.decision_rules, name="decision_rules"),
    path("members/", member_views.member_list, name="members"),
    path("members/<int:pk>/", member_views.member_change, name="member_change"),
    path("members/invitations/<int:pk>/withdraw/", member_views.member_invitation_withdraw, name="member_withdraw"),
    path("join/<str:token>/", member_views.join, name="join"),
    path("members/sign-in-requests/<int:pk>/", sso_views.sso_request, name="sso_request"),
    path("members/two-step/", member_views.two_step_require, name="two_step_require"),
    path("webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhook_views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/actions/", webhook_views.webhook_action, name="webhook_action"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("calendar-feed/", calendar_feed_views.calendar_feed, name="calendar_feed"),
    path("calendar-feed/revoke/", calendar_feed_views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("password/", views.password_change, name="password"),
    path("two-step/", views.two_step, name="two_step"),
    path("two-step/verify/", views.two_step_verify, name="two_step_verify"),
]
