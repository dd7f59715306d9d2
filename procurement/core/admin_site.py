from django.contrib import admin
from django.core.exceptions import PermissionDenied


class ProcurementAdminSite(admin.AdminSite):
    site_header = "AI vendor due diligence — administration"
    site_title = "Due diligence admin"
    index_title = "Question banks and organisations"

    def login(self, request, extra_context=None):
        # A signed-in user who is not a bank editor or site staff gets a plain 403,
        # not a login form that suggests another account would help.
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("The administration is for bank editors and site staff.")
        return super().login(request, extra_context)
