"""Question banks: versioned, and immutable once published.

A published (or retired) BankVersion and everything under it never changes.
The guard lives in save()/delete() of every row that belongs to a version, so
the admin, services and shell all hit the same wall. (QuerySet.update() and
bulk writes bypass it; only the loader uses bulk_create, and only on the
draft version it has just created.)
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from procurement.core.models import Organisation, TimeStampedModel

VERSION_LOCKED = "Version {version} of {bank} is {status} and cannot be changed. Create a new draft from it instead."


class VersionLocked(ValidationError):
    """Raised on any attempt to change a published or retired bank version."""


class QuestionBank(TimeStampedModel):
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="question_banks",
        help_text=_("Empty for a shipped bank: read-only and shared by every organisation."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="questionbank_bank_unique_slug_per_org"),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(organisation__isnull=True),
                name="questionbank_bank_unique_shipped_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shipped(self) -> bool:
        return self.organisation_id is None


class BankVersion(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(
        _("version number"), null=True, blank=True, help_text=_("Assigned when the version is published.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    changelog = models.TextField(_("changelog"), blank=True)
    rule_params = models.JSONField(
        _("rule parameters"),
        default=dict,
        blank=True,
        help_text=_("Scoring parameters (band cut-offs, tier weights, knockout rules). Validated on publish."),
    )
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, db_index=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derived_versions"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["bank__name", "-number", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "number"], name="questionbank_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(number__isnull=False),
                name="questionbank_version_published_has_number",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published", "retired"]),
                name="questionbank_version_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank.name} {self.label}"

    @property
    def label(self) -> str:
        return f"v{self.number}" if self.number else f"draft #{self.pk}"

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT

    def get_absolute_url(self) -> str:
        return reverse("admin:questionbank_bankversion_preview", args=[self.pk])

    def locked_error(self, status: str | None = None) -> VersionLocked:
        status_label = self.Status(status or self.status).label.lower()
        return VersionLocked(
            VERSION_LOCKED.format(version=self.label, bank=self.bank.name, status=status_label), code="locked"
        )

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            stored = (
                BankVersion.objects.filter(pk=self.pk).values("status", "changelog", "rule_params", "number").first()
            )
            if stored and stored["status"] != self.Status.DRAFT:
                # A locked version may only move from published to retired.
                same_content = (stored["changelog"], stored["rule_params"], stored["number"]) == (
                    self.changelog,
                    self.rule_params,
                    self.number,
                )
                allowed_status = self.status == stored["status"] or (
                    stored["status"] == self.Status.PUBLISHED and self.status == self.Status.RETIRED
                )
                if not (same_content and allowed_status):
                    raise self.locked_error(stored["status"])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = BankVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored and stored != self.Status.DRAFT:
            raise self.locked_error(stored)
        return super().delete(*args, **kwargs)


class VersionContentModel(TimeStampedModel):
    """A row that belongs to a bank version and freezes with it."""

    class Meta:
        abstract = True

    def owning_version_id(self) -> int:
        raise NotImplementedError

    def _guard(self) -> None:
        version = BankVersion.objects.select_related("bank").filter(pk=self.owning_version_id()).first()
        if version is not None and version.is_locked:
            raise version.locked_error()

    def save(self, *args, **kwargs) -> None:
        self._guard()
        if self.pk:
            # Moving a row out of a locked version is also a change to that version.
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None:
                stored._guard()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._guard()
        return super().delete(*args, **kwargs)


class Section(VersionContentModel):
    version = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=1,
        help_text=_("Default section weight; tier-specific weights in the rule parameters take precedence."),
    )

    class Meta:
        ordering = ["version", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="questionbank_section_unique_code"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="questionbank_section_weight_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def owning_version_id(self) -> int:
        return self.version_id


class Question(VersionContentModel):
    class AnswerType(models.TextChoices):
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        YES_NO = "yes_no", _("Yes / no / partial")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        TEXT = "text", _("Free text")
        EVIDENCE = "evidence", _("Evidence upload")
        PROVIDER_TABLE = "provider_table", _("Provider table (supply chain)")

    class Audience(models.TextChoices):
        VENDOR = "vendor", _("Vendor")
        BUYER = "buyer", _("Buyer intake")
        REVIEWER = "reviewer", _("Reviewer only")

    class ChangeKind(models.TextChoices):
        EDITORIAL = "editorial", _("Editorial: keep answers")
        SUBSTANTIVE = "substantive", _("Substantive: ask again")

    class Weight(models.IntegerChoices):
        MINOR = 1, _("Minor")
        STANDARD = 2, _("Standard")
        MAJOR = 4, _("Major")

    version = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=32, help_text=_("Stable across versions, e.g. SUP-05."))
    text = models.TextField(_("question"))
    help_text = models.TextField(
        _("help text"), blank=True, help_text=_("Why it matters; what a good answer looks like.")
    )
    answer_type = models.CharField(_("answer type"), max_length=16, choices=AnswerType.choices)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    bands = models.JSONField(
        _("risk bands"),
        default=list,
        blank=True,
        help_text=_('Numbers and dates: [{"from": 0, "to": 30, "points": 4}, ...]; null means unbounded.'),
    )
    limits = models.JSONField(
        _("limits"),
        default=dict,
        blank=True,
        help_text=_(
            'Numbers: {"min": 0, "max": 3650, "soft_max": 1095} (refused outside min-max, warned outside the soft'
            ' range). Dates: offsets from today, {"min": "-3y", "max": "+1y"}.'
        ),
    )
    score_by = models.CharField(
        _("date bands measure"),
        max_length=16,
        blank=True,
        help_text=_('Dates: blank scores days until the date; "months_since" scores the age in whole months.'),
    )
    fresh_for_months = models.PositiveSmallIntegerField(
        _("fresh for (months)"),
        null=True,
        blank=True,
        help_text=_(
            "How long an answer stays current. A reassessment asks again for an answer older than this;"
            " blank: it never goes stale."
        ),
    )
    weight = models.PositiveSmallIntegerField(_("weight class"), choices=Weight.choices, default=Weight.STANDARD)
    critical = models.BooleanField(_("critical"), default=False)
    scored = models.BooleanField(_("scored"), default=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.VENDOR)
    allow_na = models.BooleanField(_("N/A allowed"), default=True)
    show_if_question = models.CharField(_("show if question"), max_length=32, blank=True)
    show_if_values = models.JSONField(_("show if answer is one of"), default=list, blank=True)
    framework_refs = models.JSONField(_("framework references"), default=list, blank=True)
    change_kind = models.CharField(
        _("change since the previous version"),
        max_length=16,
        blank=True,
        choices=ChangeKind.choices,
        help_text=_(
            "Blank: decided from what changed (wording, help and refs only keep answers). Editorial: answers given"
            " to the previous version are kept (only where they still fit). Substantive: the question is asked again."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["section__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="questionbank_question_unique_code"),
            models.CheckConstraint(condition=models.Q(weight__in=[1, 2, 4]), name="questionbank_question_weight_class"),
            models.CheckConstraint(
                condition=models.Q(fresh_for_months__isnull=True) | models.Q(fresh_for_months__range=(1, 120)),
                name="questionbank_question_fresh_months_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"

    def save(self, *args, **kwargs) -> None:
        if self.section_id and not self.version_id:
            self.version_id = self.section.version_id
        super().save(*args, **kwargs)

    def owning_version_id(self) -> int:
        return self.version_id or self.section.version_id


class Choice(VersionContentModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("label"), max_length=300)
    value = models.SlugField(_("stored value"), max_length=64)
    points = models.PositiveSmallIntegerField(_("risk points"), null=True, blank=True)
    renamed_from = models.JSONField(
        _("renamed from"),
        default=list,
        blank=True,
        help_text=_("Values this choice had in earlier versions; upgrading an assessment maps them to this one."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="questionbank_choice_unique_value"),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True) | models.Q(points__lte=4),
                name="questionbank_choice_points_0_4",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def owning_version_id(self) -> int:
        return self.question.version_id
