from django.contrib import admin
from django.http import Http404

from procurement.core.access import is_org_admin, is_site_staff, organisation_for
from procurement.core.models import ExternalIdentity, Membership, Organisation, OutboxMessage, ReminderSchedule


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Who signs in through single sign-on, as the provider knows them (site staff; read only).
    To make a first org admin under approval provisioning, add their Membership after their
    first sign-in."""

    list_display = ["user", "issuer", "subject", "organisation", "status", "email", "last_login_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["user__username", "subject", "email"]
    readonly_fields = [f.name for f in ExternalIdentity._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Site staff see every outgoing message and why one failed; nothing here edits them."""

    list_display = [
        "created_at",
        "kind",
        "recipient",
        "organisation",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "ref", "last_error"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderSchedule)
class ReminderScheduleAdmin(admin.ModelAdmin):
    """An organisation's own reminder schedule per kind of deadline. Site staff edit every
    organisation's; an organisation's admins edit their own."""

    list_display = ["organisation", "kind", "before_days", "on_the_day", "overdue_every_days"]
    list_filter = ["kind"]

    def _allowed(self, request) -> bool:
        return is_site_staff(request.user) or is_org_admin(request.user)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if is_site_staff(request.user) else qs.filter(organisation=organisation_for(request.user))

    def get_fields(self, request, obj=None):
        fields = ["kind", "before_days", "on_the_day", "overdue_every_days"]
        return ["organisation", *fields] if is_site_staff(request.user) else fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if is_site_staff(request.user):
            return form
        org = organisation_for(request.user)

        class OwnOrganisationForm(form):
            def clean(self):
                self.instance.organisation = org
                cleaned = super().clean()
                others = ReminderSchedule.objects.filter(organisation=org, kind=cleaned.get("kind"))
                if others.exclude(pk=self.instance.pk).exists():
                    self.add_error(
                        "kind", "Your organisation has a schedule for this deadline already; change that one."
                    )
                return cleaned

        return OwnOrganisationForm

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such schedule in your organisation.")
        return obj

    def save_model(self, request, obj, form, change):
        if not is_site_staff(request.user):
            obj.organisation = organisation_for(request.user)
        super().save_model(request, obj, form, change)
