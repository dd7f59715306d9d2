from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from procurement.api.api import api
from procurement.core import sso_views
from procurement.portal.urls import staff_patterns
from procurement.portfolio.urls import home_patterns

urlpatterns = [
    path("", include(home_patterns)),
    path("banks/", include("procurement.questionbank.urls")),
    path("vendors/", include("procurement.portfolio.vendor_urls")),
    path("portfolio/", include("procurement.portfolio.urls")),
    path("assessments/", include("procurement.assessments.urls")),
    path("assessments/", include(staff_patterns)),
    path("reports/", include("procurement.reports.urls")),
    path("portal/", include("procurement.portal.urls")),
    path("accounts/login/", sso_views.LoginView.as_view(), name="login"),
    # Single sign-on (OpenID Connect): 404 unless configured (procurement/core/sso.py).
    path("accounts/sso/login/", sso_views.SsoLoginView.as_view(), name="sso_login"),
    path("accounts/sso/callback/", sso_views.SsoCallbackView.as_view(), name="sso_callback"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/notifications/", include("procurement.core.notification_urls")),
    path("accounts/", include("procurement.core.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
