from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from procurement.api.api import api
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
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/notifications/", include("procurement.core.notification_urls")),
    path("accounts/", include("procurement.core.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
