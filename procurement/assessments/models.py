"""Assessments: a vendor service run against one pinned bank version.

Answers are keyed by question code (stable across versions), so moving an
assessment to a newer version keeps them. Every change to an answer writes an
AnswerChange row (who, when, old, new); nothing is pruned.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from procurement.core.models import Organisation, TimeStampedModel
from procurement.questionbank.models import BankVersion
from procurement.vendors.models import AIService


class Assessment(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Origin(models.TextChoices):
        LOCAL = "local", _("Created here")
        IMPORTED = "imported", _("Imported with a verified signature")
        IMPORTED_UNVERIFIED = "imported_unverified", _("Imported without a verified signature")

    FINAL = (Status.APPROVED, Status.REJECTED)
    # Not final, spelled as a list so the (organisation, status, created) index serves it: with
    # NOT IN, SQLite reads every row of the organisation.
    OPEN = (Status.DRAFT, Status.IN_PROGRESS, Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED)
    EDITABLE = (Status.DRAFT, Status.IN_PROGRESS, Status.CHANGES_REQUESTED)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assessments")
    service = models.ForeignKey(AIService, on_delete=models.PROTECT, related_name="assessments")
    bank_version = models.ForeignKey(BankVersion, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Indexed by assess_owner_status_due (owner first), not by a single-column index.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_assessments",
        db_index=False,
    )
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assessments_to_review")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Latest computed score summary, for lists and filters (recomputed by services).
    risk_band = models.CharField(_("residual rating"), max_length=16, blank=True)
    decision = models.CharField(_("decision"), max_length=32, blank=True)
    overall_risk = models.FloatField(_("overall risk"), null=True, blank=True)
    # The frozen record (answers, overrides, score, parameters, bank version, timeline) once decided.
    frozen_record = models.JSONField(_("frozen record"), null=True, blank=True)
    frozen_hash = models.CharField(_("frozen record hash"), max_length=64, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Set when the service's supply chain changes after this assessment (see vendors.supply).
    reassess_reason = models.TextField(_("why a reassessment is needed"), blank=True)
    reassess_since = models.DateTimeField(_("reassessment needed since"), null=True, blank=True)
    # Set once by reports.imports; an unverified import is marked wherever the assessment shows.
    origin = models.CharField(
        _("origin"),
        max_length=24,
        choices=Origin.choices,
        default=Origin.LOCAL,
        help_text=_("Whether this was created here or loaded from an exported record, and if its signature verified."),
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"], name="assess_org_status_created"),
            # The list's order (newest first, id as tie-break) read straight from the index.
            models.Index(fields=["organisation", "-created_at", "-id"], name="assess_org_created_id"),
            # A service's newest assessment (the portfolio, the vendor page) straight from the index.
            models.Index(fields=["service", "-created_at", "-id"], name="assess_service_created_id"),
            # The same within an organisation (portfolio.selectors.latest_assessments). Without it
            # PostgreSQL walks assess_org_created_id filtering on the service: for a service with no
            # assessment that reads the whole organisation (40 ms of the portfolio and review pages
            # at 100,000 assessments, bench/scale.py).
            models.Index(fields=["organisation", "service", "-created_at", "-id"], name="assess_org_service_created"),
            # "Recently decided" on the home page. Without it SQLite walks every decided row's
            # frozen record (stored before decided_at) to sort: 57 ms with 2,000 decided.
            models.Index(fields=["organisation", "-decided_at"], name="assess_org_decided"),
            # "My open assessments" on the home page: the open ones among everything a person owns.
            models.Index(fields=["owner", "status", "due_date"], name="assess_owner_status_due"),
            # Partial indexes for the home page on PostgreSQL (bench/scale.py, 100,000 assessments).
            # "Due soon": the open ones in due-date order, instead of sorting every open row (480 ms).
            # The conditions are OPEN and FINAL, spelled out (Meta cannot see the class's names).
            models.Index(
                fields=["organisation", "due_date"],
                condition=models.Q(status__in=["draft", "in_progress", "submitted", "in_review", "changes_requested"]),
                name="assess_org_open_due",
            ),
            # "Recently decided": PostgreSQL sorts NULLs first in a descending index, so
            # assess_org_decided walked past every undecided row (90,000) before the first decided one.
            models.Index(
                fields=["organisation", "-decided_at"],
                condition=models.Q(status__in=["approved", "rejected"]),
                name="assess_org_final_decided",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "draft",
                        "in_progress",
                        "submitted",
                        "in_review",
                        "changes_requested",
                        "approved",
                        "rejected",
                    ]
                ),
                name="assessments_assessment_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "rejected"]) | models.Q(frozen_record__isnull=False),
                name="assessments_assessment_final_is_frozen",
            ),
            models.CheckConstraint(
                condition=models.Q(origin__in=["local", "imported", "imported_unverified"]),
                name="assessments_assessment_origin_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"A-{self.pk} {self.service}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_unverified_import(self) -> bool:
        """Loaded from a record whose signature did not verify (``import_assessment --trust``)."""
        return self.origin == self.Origin.IMPORTED_UNVERIFIED


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_code = models.CharField(_("question"), max_length=32)
    value = models.JSONField(_("value"), null=True, blank=True)
    na = models.BooleanField(_("not applicable"), default=False)
    na_reason = models.TextField(_("N/A justification"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_by_label = models.CharField(max_length=200, blank=True, help_text=_("Who answered, e.g. a vendor contact."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["assessment", "question_code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question_code"], name="assessments_answer_unique_question"),
            models.CheckConstraint(
                condition=models.Q(na=False) | ~models.Q(na_reason=""), name="assessments_answer_na_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_code} = {self.value!r}"


class AnswerChange(models.Model):
    """One change to one answer. Append-only."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answer_changes")
    question_code = models.CharField(max_length=32)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "question_code", "at", "pk"]
        indexes = [models.Index(fields=["assessment", "question_code"], name="assess_change_question")]

    def __str__(self) -> str:
        return f"{self.question_code}: {self.old_value!r} -> {self.new_value!r}"


class SectionRevision(models.Model):
    """Optimistic-locking counter per section: a save must name the revision it started from."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="section_revisions")
    section_code = models.CharField(max_length=16)
    revision = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "section_code"], name="assessments_revision_unique_section"),
        ]

    def __str__(self) -> str:
        return f"{self.section_code} r{self.revision}"


class Comment(models.Model):
    """An internal comment on a question. Never shown to vendors."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    question_code = models.CharField(max_length=32)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class Clarification(models.Model):
    """One message in a question's clarification thread, seen by the vendor and the team.

    Unlike Comment, this is shared with the vendor respondent through the portal.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="clarifications")
    question_code = models.CharField(max_length=32)
    from_vendor = models.BooleanField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_label = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["assessment", "question_code"], name="assess_clar_question")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="assessments_clarification_body_required"),
            models.CheckConstraint(
                condition=~models.Q(author_label=""),
                name="assessments_clarification_has_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_code}: {self.body[:60]}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"evidence/{instance.assessment.organisation_id}/{instance.assessment_id}/{instance.sha256[:16]}"


class Evidence(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    question_code = models.CharField(max_length=32)
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_by_label = models.CharField(
        max_length=200, blank=True, help_text=_("Who uploaded, e.g. a vendor contact.")
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question_code", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Override(models.Model):
    """A reviewer's points for one question, with the mandatory reason. The latest row per question counts."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="overrides")
    question_code = models.CharField(max_length=32)
    points = models.PositiveSmallIntegerField()
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["question_code", "-at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(points__lte=4), name="assessments_override_points_0_4"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="assessments_override_reason_required"),
            models.UniqueConstraint(
                fields=["assessment", "question_code"],
                condition=models.Q(active=True),
                name="assessments_override_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_code} -> {self.points}"


class Finding(models.Model):
    class Kind(models.TextChoices):
        FINDING = "finding", _("Finding")
        CONDITION = "condition", _("Condition")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FINDING)
    text = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    question_code = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class TimelineEvent(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=32)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}->{self.to_status}"
