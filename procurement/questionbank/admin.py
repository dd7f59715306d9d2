"""The bank editor: Django's admin, with every write routed through services.

Bank editors are site staff (shipped banks) and organisation admins (their own
organisation's banks). Published and retired versions open read-only.
Objects outside the user's scope are 404, as everywhere else in the app.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify

from procurement.core.access import is_org_admin, is_site_staff, organisation_for
from procurement.questionbank import services
from procurement.questionbank.document import BankFileError
from procurement.questionbank.forms import (
    BAND_FIELDS,
    REF_FIELDS,
    BankUploadForm,
    BankVersionEditForm,
    QuestionEditForm,
    QuestionRowForm,
    SectionEditForm,
)
from procurement.questionbank.models import BankVersion, Choice, Question, QuestionBank, Section, VersionLocked


def _bank_of(obj) -> QuestionBank | None:
    if obj is None:
        return None
    if isinstance(obj, QuestionBank):
        return obj
    if isinstance(obj, BankVersion):
        return obj.bank
    if isinstance(obj, Section | Question):
        return obj.version.bank
    if isinstance(obj, Choice):
        return obj.question.version.bank
    raise TypeError(obj)


def _version_of(obj) -> BankVersion | None:
    if isinstance(obj, BankVersion):
        return obj
    if isinstance(obj, Section | Question):
        return obj.version
    if isinstance(obj, Choice):
        return obj.question.version
    return None


class BankScopedAdmin(admin.ModelAdmin):
    """Scope, permissions and read-only handling shared by every bank model."""

    bank_path = ""  # lookup from this model to QuestionBank, e.g. "version__bank"

    def _is_editor(self, request) -> bool:
        return is_site_staff(request.user) or is_org_admin(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_site_staff(request.user):
            return qs
        org = organisation_for(request.user)
        prefix = f"{self.bank_path}__" if self.bank_path else ""
        from django.db.models import Q

        return qs.filter(Q(**{f"{prefix}organisation__isnull": True}) | Q(**{f"{prefix}organisation": org}))

    def has_module_permission(self, request) -> bool:
        return self._is_editor(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_editor(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._is_editor(request)

    def has_change_permission(self, request, obj=None) -> bool:
        if not self._is_editor(request):
            return False
        if obj is None:
            return True
        version = _version_of(obj)
        return services.bank_can_edit(request.user, _bank_of(obj)) and not (version and version.is_locked)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such object in your organisation.")
        return obj

    def save_model(self, request, obj, form, change):
        try:
            super().save_model(request, obj, form, change)
        except VersionLocked as exc:
            raise Http404(exc.message) from exc


class LabelledFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete this {self.model._meta.verbose_name}"


class LabelledInline(admin.TabularInline):
    """A tabular inline whose inputs carry an accessible name: the table's column heading is
    not tied to the inputs below it, so each gets an aria-label ("Section code", "Choice
    points", "Delete this section", ...)."""

    formset = LabelledFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            name = f"{self.model._meta.verbose_name} {db_field.verbose_name}"
            field.widget.attrs.setdefault("aria-label", name[:1].upper() + name[1:])
        return field


class ChoiceInline(LabelledInline):
    model = Choice
    extra = 0
    fields = ["order", "value", "label", "points", "renamed_from"]

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.version.is_locked

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.version.is_locked

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.version.is_locked

    def has_view_permission(self, request, obj=None):
        return True


class QuestionInline(LabelledInline):
    model = Question
    form = QuestionRowForm
    extra = 0
    fields = ["order", "code", "text", "answer_type", "weight", "critical", "audience", "edit_link", "loaded_at"]
    readonly_fields = ["edit_link"]
    show_change_link = True

    @admin.display(description="")
    def edit_link(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">details &amp; choices</a>', reverse("admin:questionbank_question_change", args=[obj.pk])
        )

    def _editable(self, obj) -> bool:
        return obj is None or not obj.version.is_locked

    def has_add_permission(self, request, obj=None):
        return self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj)

    def has_view_permission(self, request, obj=None):
        return True


class SectionInline(LabelledInline):
    model = Section
    extra = 0
    fields = ["order", "code", "title", "weight", "question_count"]
    readonly_fields = ["question_count"]
    show_change_link = True

    @admin.display(description="questions")
    def question_count(self, obj):
        return obj.questions.count() if obj.pk else 0

    def _editable(self, obj) -> bool:
        return obj is None or not obj.is_locked

    def has_add_permission(self, request, obj=None):
        return self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj)

    def has_view_permission(self, request, obj=None):
        return True


class VersionInline(admin.TabularInline):
    model = BankVersion
    fields = ["label_link", "status", "published_at", "content_hash"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="version")
    def label_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:questionbank_bankversion_change", args=[obj.pk]), obj.label
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(QuestionBank)
class QuestionBankAdmin(BankScopedAdmin):
    list_display = ["name", "slug", "owner", "version_count"]
    search_fields = ["name", "slug", "description"]
    inlines = [VersionInline]

    def get_list_filter(self, request):
        # Only site staff may see (and filter by) the list of organisations.
        return [("organisation", admin.EmptyFieldListFilter), "organisation"] if is_site_staff(request.user) else []

    @admin.display(description="owner")
    def owner(self, obj):
        return obj.organisation or "Shipped (shared)"

    @admin.display(description="versions")
    def version_count(self, obj):
        return obj.versions.count()

    def get_fields(self, request, obj=None):
        fields = ["name", "slug", "description"]
        return [*fields, "organisation"] if is_site_staff(request.user) else fields

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self._is_editor(request)
        return services.bank_can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # A bank whose versions have been published may be pinned by assessments.
        return self.has_change_permission(request, obj) and (
            obj is None or not obj.versions.exclude(status=BankVersion.Status.DRAFT).exists()
        )

    def save_model(self, request, obj, form, change):
        if not is_site_staff(request.user):
            obj.organisation = organisation_for(request.user)
        if not obj.slug:
            obj.slug = slugify(obj.name)
        super().save_model(request, obj, form, change)


@admin.register(BankVersion)
class BankVersionAdmin(BankScopedAdmin):
    bank_path = "bank"
    list_display = ["__str__", "bank", "status", "published_at", "preview_link"]
    list_filter = ["status", ("bank", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["bank__name", "bank__slug", "changelog"]
    list_select_related = ["bank"]
    inlines = [SectionInline]
    actions = ["publish_versions", "new_draft_from_versions", "export_yaml", "retire_versions", "delete_drafts"]
    readonly_fields = ["status", "number", "content_hash", "based_on", "published_at", "published_by", "preview_link"]
    fields = ["bank", "changelog", "rule_params", "loaded_at", *readonly_fields]
    form = BankVersionEditForm

    def get_fields(self, request, obj=None):
        # Organisation admins edit the rule parameters on the Scoring rules page (a form with a
        # preview); the raw JSON is site staff's advanced view.
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return [f for f in fields if f != "loaded_at"]  # read-only: shown, nothing to save
        return fields if is_site_staff(request.user) else [f for f in fields if f != "rule_params"]

    @admin.display(description="preview")
    def preview_link(self, obj):
        if not obj.pk:
            return ""
        links = format_html(
            '<a href="{}">Preview as respondent</a> · <a href="{}">What changed</a>',
            reverse("questionbank:version_preview", args=[obj.pk]),
            reverse("questionbank:version_compare", args=[obj.pk]),
        )
        if obj.status == BankVersion.Status.DRAFT:
            links += format_html(
                ' · <a href="{}">Scoring rules (form and preview)</a> · <a href="{}">Publish…</a>',
                reverse("questionbank:version_rules", args=[obj.pk]),
                reverse("questionbank:version_publish", args=[obj.pk]),
            )
        return links

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bank" and not is_site_staff(request.user):
            kwargs["queryset"] = QuestionBank.objects.filter(organisation=organisation_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path(
                "<int:pk>/export/",
                self.admin_site.admin_view(self.export_view),
                name="questionbank_bankversion_export",
            ),
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="questionbank_bankversion_upload",
            ),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_redirect),
                name="questionbank_bankversion_preview",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        """A bank file, through the strict loader: a new draft, or every problem and nothing saved."""
        if not self._is_editor(request):
            raise PermissionDenied
        organisation = None if is_site_staff(request.user) else organisation_for(request.user)
        form = BankUploadForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.bank_load(
                    raw=upload.read(), source=upload.name, organisation=organisation, publish=False, by=request.user
                )
            except BankFileError as exc:
                problems = [str(p) for p in exc.problems]
            else:
                self.message_user(request, result.message, messages.SUCCESS if result.created else messages.INFO)
                return redirect("admin:questionbank_bankversion_change", result.version.pk)
        ctx = {
            **self.admin_site.each_context(request),
            "title": "Upload a bank file",
            "form": form,
            "problems": problems,
            "organisation": organisation,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/questionbank/bankversion/upload.html", ctx, status=400 if problems or form.errors else 200
        )

    def preview_redirect(self, request, pk):
        version = get_object_or_404(self.get_queryset(request), pk=pk)
        return redirect("questionbank:version_preview", version.pk)

    def export_view(self, request, pk):
        version = get_object_or_404(self.get_queryset(request), pk=pk)
        name, text = services.version_file(version)
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _editable_banks_only(self, request, queryset):
        allowed = [v for v in queryset.select_related("bank") if services.bank_can_edit(request.user, v.bank)]
        if len(allowed) != len(queryset):
            self.message_user(
                request, "Some versions belong to banks you cannot edit and were skipped.", messages.WARNING
            )
        return allowed

    @admin.action(description="Publish selected drafts")
    def publish_versions(self, request, queryset):
        for version in self._editable_banks_only(request, queryset):
            try:
                published = services.version_publish(version=version, by=request.user)
            except BankFileError as exc:
                problems = "; ".join(str(p) for p in exc.problems[:5])
                more = f" (and {len(exc.problems) - 5} more)" if len(exc.problems) > 5 else ""
                self.message_user(
                    request,
                    format_html(
                        '{} was not published: {}{}. <a href="{}">See every problem, each with a link to its'
                        " question</a>.",
                        version,
                        problems,
                        more,
                        reverse("questionbank:version_publish", args=[version.pk]),
                    ),
                    messages.ERROR,
                )
            except ValidationError as exc:
                self.message_user(
                    request,
                    format_html(
                        '{}: {} <a href="{}">Publish it from its page</a>, which shows what changed.',
                        version,
                        " ".join(exc.messages),
                        reverse("questionbank:version_publish", args=[version.pk]),
                    ),
                    messages.ERROR,
                )
            else:
                self.message_user(request, f"Published {published}.", messages.SUCCESS)

    @admin.action(description="New draft from selected versions (a copy in your organisation for shipped ones)")
    def new_draft_from_versions(self, request, queryset):
        """A draft of the same bank where the user edits it; otherwise (an organisation admin
        and a shipped bank) a draft in the organisation's own copy of the bank."""
        org = organisation_for(request.user)
        for version in queryset.select_related("bank"):
            if services.bank_can_edit(request.user, version.bank):
                draft = services.version_new_draft(version=version)
                self.message_user(request, f"Created {draft} from {version}.", messages.SUCCESS)
            elif is_org_admin(request.user) and org is not None:
                draft = services.bank_copy_to_organisation(version=version, organisation=org)
                url = reverse("admin:questionbank_bankversion_change", args=[draft.pk])
                self.message_user(
                    request,
                    format_html(
                        '{} copied into {} as <a href="{}">{}</a>: edit it, then publish it as your own bank.',
                        version,
                        org,
                        url,
                        draft,
                    ),
                    messages.SUCCESS,
                )

    def get_actions(self, request, *args, action_location=None, **kwargs):
        # Django's "Delete selected" would be offered for published versions too, and always
        # fail there; delete_drafts deletes drafts only and says why it skips the rest.
        if action_location is not None:
            kwargs["action_location"] = action_location
        actions = super().get_actions(request, *args, **kwargs)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Retire selected published versions")
    def retire_versions(self, request, queryset):
        for version in self._editable_banks_only(request, queryset):
            try:
                services.version_retire(version=version)
            except ValidationError as exc:
                self.message_user(request, f"{version}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, self._retired_message(request, version), messages.SUCCESS)

    def _retired_message(self, request, version: BankVersion):
        """Which assessments still pin a retired version: the user's organisation's by number,
        each linked; the rest (site staff retiring a shipped version) counted."""
        # Through the reverse relation only: the question bank never imports assessments.
        org = organisation_for(request.user)
        pinned = version.assessments.all()
        mine = list(pinned.filter(organisation=org).order_by("pk").values_list("pk", flat=True)) if org else []
        others = pinned.count() - len(mine)
        if not mine and not others:
            return f"Retired {version}. No assessment pins it."
        parts = []
        if mine:
            links = format_html_join(
                ", ", '<a href="{}">A-{}</a>', ((reverse("assessments:detail", args=[pk]), pk) for pk in mine)
            )
            parts.append(format_html("your organisation's {}", links))
        if others:
            where = " in other organisations" if org else ""
            parts.append(f"{others} assessment{'s' if others != 1 else ''}{where}")
        return format_html(
            "Retired {}. Still pinned by {}: they keep it until moved to a newer version; no new assessment starts"
            " on it.",
            version,
            format_html_join(" and ", "{}", ((p,) for p in parts)),
        )

    @admin.action(description="Delete selected drafts")
    def delete_drafts(self, request, queryset):
        """Drafts only: a published or retired version never changes, so it is never deleted."""
        drafts = [v for v in self._editable_banks_only(request, queryset) if v.status == BankVersion.Status.DRAFT]
        kept = [v for v in queryset if v.status != BankVersion.Status.DRAFT]
        for version in drafts:
            label = str(version)
            version.delete()
            self.message_user(request, f"Deleted {label}.", messages.SUCCESS)
        if kept:
            self.message_user(
                request,
                "Not deleted, because published versions never change (assessments pin them): "
                + ", ".join(str(v) for v in kept)
                + ". Retire a version instead.",
                messages.WARNING,
            )

    @admin.action(description="Export selected version as YAML")
    def export_yaml(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to export.", messages.WARNING)
            return None
        return redirect("admin:questionbank_bankversion_export", queryset.get().pk)


@admin.register(Section)
class SectionAdmin(BankScopedAdmin):
    bank_path = "version__bank"
    list_display = ["code", "title", "version", "order", "weight"]
    list_filter = [("version__bank", admin.RelatedOnlyFieldListFilter), ("version", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "title", "description"]
    list_select_related = ["version__bank"]
    form = SectionEditForm
    fields = ["version", "code", "title", "description", "order", "weight", "loaded_at"]
    inlines = [QuestionInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = BankVersion.objects.filter(status=BankVersion.Status.DRAFT)
            if not is_site_staff(request.user):
                kwargs["queryset"] = kwargs["queryset"].filter(bank__organisation=organisation_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, Question):
                obj.version_id = form.instance.version_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Question)
class QuestionAdmin(BankScopedAdmin):
    bank_path = "version__bank"
    list_display = ["code", "short_text", "answer_type", "weight", "critical", "audience", "version"]
    list_filter = [
        "answer_type",
        "audience",
        "critical",
        "weight",
        ("version__bank", admin.RelatedOnlyFieldListFilter),
        ("version", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "text", "help_text"]
    list_select_related = ["version__bank"]
    inlines = [ChoiceInline]
    form = QuestionEditForm
    fieldsets = [
        (None, {"fields": ["section", "code", "order", "text", "help_text", "loaded_at"]}),
        ("Answer", {"fields": ["answer_type", "unit", "limits", "score_by", "allow_na", "scored", "fresh_for_months"]}),
        (
            "Risk bands (number and date questions)",
            {
                "fields": BAND_FIELDS,
                "description": "Each band starts where the previous one ends; the first from 0 or empty, the last"
                " open-ended. Dates count days from the scoring date (negative: in the past).",
            },
        ),
        ("Risk", {"fields": ["weight", "critical"]}),
        ("Audience and visibility", {"fields": ["audience", "show_if_choice"]}),
        ("Traceability", {"fields": REF_FIELDS}),
        ("Upgrading assessments", {"fields": ["change_kind"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        # A published question opens read-only: show its stored values, not the empty row fields.
        if obj is not None and obj.version.is_locked:
            return [
                (None, {"fields": ["section", "code", "order", "text", "help_text"]}),
                (
                    "Answer",
                    {
                        "fields": [
                            *("answer_type", "unit", "limits", "bands", "score_by", "allow_na", "scored"),
                            "fresh_for_months",
                        ]
                    },
                ),
                ("Risk", {"fields": ["weight", "critical"]}),
                ("Audience and visibility", {"fields": ["audience", "show_if_question", "show_if_values"]}),
                ("Traceability", {"fields": ["framework_refs"]}),
                ("Upgrading assessments", {"fields": ["change_kind"]}),
            ]
        return super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and obj.version.is_locked:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, **kwargs)

    @admin.display(description="question")
    def short_text(self, obj):
        return obj.text[:80]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            qs = Section.objects.filter(version__status=BankVersion.Status.DRAFT).select_related("version__bank")
            if not is_site_staff(request.user):
                qs = qs.filter(version__bank__organisation=organisation_for(request.user))
            kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
