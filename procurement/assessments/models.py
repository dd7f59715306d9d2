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
from procurement.vendors.models import AIService, Document


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
    # The engine's latest recommendation, for lists and filters: recomputed by the services on
    # every change that can move it (answers, overrides, acceptances, status). What people
    # decided is the Decision row (``assessment.decision``), never these fields.
    risk_band = models.CharField(_("residual rating"), max_length=16, blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=32, blank=True)
    overall_risk = models.FloatField(_("overall risk"), null=True, blank=True)
    recommended_at = models.DateTimeField(_("recommendation computed at"), null=True, blank=True)
    # How many answers the recommendation still waited for when computed (unanswered questions
    # and the answers pending rules need): above 0 it is provisional. Null: computed before this
    # was recorded, so only its time is known.
    recommendation_unanswered = models.PositiveIntegerField(
        _("answers missing from the recommendation"), null=True, blank=True
    )
    # The frozen record (answers, overrides, score, parameters, bank version, timeline) once decided.
    frozen_record = models.JSONField(_("frozen record"), null=True, blank=True)
    frozen_hash = models.CharField(_("frozen record hash"), max_length=64, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # An approved assessment's next periodic review (decision day + its tier's months, fixed when
    # deciding: every input is frozen), so the obligations calendar selects reviews by date.
    review_due = models.DateField(_("next review due"), null=True, blank=True)
    # The newest assessment of its service (latest created, then highest id), kept by the services
    # that create assessments (``assessments_newest_refresh``): the home page's reviews and the
    # obligations calendar read each service's newest through it instead of looking it up per
    # service (bench/run.py, calendar_home_page_ratio). At most one per service
    # (assessments_one_newest_per_service).
    is_newest = models.BooleanField(_("newest of its service"), default=False, editable=False)
    # Set when the service's supply chain changes after this assessment (see vendors.supply).
    reassess_reason = models.TextField(_("why a reassessment is needed"), blank=True)
    reassess_since = models.DateTimeField(_("reassessment needed since"), null=True, blank=True)
    # What flagged it, as trigger keys (procurement.portfolio.reassessment.Trigger): the
    # organisation chooses per trigger whether a reassessment starts on its own.
    reassess_triggers = models.JSONField(_("what flagged the reassessment"), default=list, blank=True)
    # A reassessment: the decided assessment whose answers it started from (carried forward by
    # question code; the review page shows the difference against its frozen record).
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reassessments",
        verbose_name=_("reassessment of"),
    )
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
            # The obligations calendar's reviews: approved ones by their next review date.
            models.Index(
                fields=["organisation", "review_due"],
                condition=models.Q(status="approved"),
                name="assess_org_approved_review",
            ),
            # Each service's newest assessment by its next review date: the home page's review
            # groups and the calendar's reviews (only the newest of a service is reviewed).
            models.Index(
                fields=["organisation", "review_due"],
                condition=models.Q(is_newest=True),
                name="assess_org_newest_review",
            ),
            # The same for the services flagged for reassessment (a few): the home page's
            # "Reassessment needed" without reading every service's newest assessment.
            models.Index(
                fields=["organisation", "review_due"],
                condition=models.Q(is_newest=True) & ~models.Q(reassess_reason=""),
                name="assess_org_newest_flagged",
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
            # One open reassessment of a decision at a time: a second start (a double click, two
            # workers) finds the first.
            models.UniqueConstraint(
                fields=["previous"],
                condition=models.Q(status__in=["draft", "in_progress", "submitted", "in_review", "changes_requested"]),
                name="assessments_one_open_reassessment",
            ),
            models.UniqueConstraint(
                fields=["service"], condition=models.Q(is_newest=True), name="assessments_one_newest_per_service"
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
    class Basis(models.TextChoices):
        """What the answer rests on, weakest first (procurement.scoring.types.BASES)."""

        STATEMENT = "statement", _("Vendor statement")
        DOCUMENT = "document", _("Document")
        ATTESTATION = "attestation", _("Independent attestation")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_code = models.CharField(_("question"), max_length=32)
    value = models.JSONField(_("value"), null=True, blank=True)
    na = models.BooleanField(_("not applicable"), default=False)
    na_reason = models.TextField(_("N/A justification"), blank=True)
    # "The vendor does not disclose this" (number and date questions): an answer scored at the
    # question's worst points, not a gap; its value is empty.
    undisclosed = models.BooleanField(_("not disclosed by the vendor"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_by_label = models.CharField(max_length=200, blank=True, help_text=_("Who answered, e.g. a vendor contact."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Carried forward from the previous assessment by a reassessment, and not changed since:
    # where it came from and when it was given there (its age counts from then, not from the
    # copy). Cleared when the answer changes; the answer history keeps the carry.
    carried_from = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("carried from")
    )
    carried_given_at = models.DateTimeField(_("carried answer given at"), null=True, blank=True)
    # The respondent confirmed the carried answer unchanged: it counts as given now.
    confirmed_at = models.DateTimeField(_("confirmed unchanged at"), null=True, blank=True)
    # What the answer rests on, as whoever answered says; it counts in the score (above the
    # vendor's statement) only once a reviewer confirms it. A changed answer needs confirming again.
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices, default=Basis.STATEMENT)
    basis_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("basis confirmed by"),
    )
    basis_confirmed_at = models.DateTimeField(_("basis confirmed at"), null=True, blank=True)

    class Meta:
        # By the column, not "assessment" (that orders by the assessment's own ordering, so every
        # read of one assessment's answers joined and sorted on the assessments table).
        ordering = ["assessment_id", "question_code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question_code"], name="assessments_answer_unique_question"),
            models.CheckConstraint(
                condition=models.Q(na=False) | ~models.Q(na_reason=""), name="assessments_answer_na_needs_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(undisclosed=False) | models.Q(na=False, value__isnull=True),
                name="assessments_answer_undisclosed_has_no_value",
            ),
            models.CheckConstraint(
                condition=models.Q(basis__in=["statement", "document", "attestation"]),
                name="assessments_answer_basis_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_code} = {self.value!r}"

    @property
    def given_at(self):
        """When the respondent last gave or confirmed this answer: its age for freshness."""
        return self.confirmed_at or self.carried_given_at or self.updated_at

    @property
    def basis_confirmed(self) -> bool:
        """A reviewer confirmed what the answer rests on (and it has not changed since)."""
        return self.basis_confirmed_at is not None

    @property
    def is_carried(self) -> bool:
        """Copied from the previous assessment and neither changed nor confirmed since."""
        return self.carried_from_id is not None and self.confirmed_at is None


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
        ordering = ["assessment_id", "question_code", "at", "pk"]  # the column: no join (see Answer)
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


def evidence_path(instance, filename: str) -> str:
    """Where evidence files were stored before they became vendor documents (migrations 0013-0014 read it)."""
    return f"evidence/{instance.assessment.organisation_id}/{instance.assessment_id}/{instance.sha256[:16]}"


class Evidence(models.Model):
    """A vendor document attached to one answer (assessment and question) as its support, or to a
    condition or finding as closure evidence. The file itself is the vendor's
    (procurement.vendors.models.Document): one document supports any number of answers, in this
    assessment and later ones of the same vendor, and is stored once."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    question_code = models.CharField(max_length=32)
    # Set when the file was attached to close a condition or finding (not to an answer).
    finding = models.ForeignKey("Finding", on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_by_label = models.CharField(
        max_length=200, blank=True, help_text=_("Who attached it, e.g. a vendor contact.")
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question_code", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["assessment", "question_code"], name="assess_evidence_question")]

    def __str__(self) -> str:
        return self.document.original_name

    # The document's facts, read through the link (each reads the document row: select_related it).
    @property
    def original_name(self) -> str:
        return self.document.original_name

    @property
    def content_type(self) -> str:
        return self.document.content_type

    @property
    def size(self) -> int:
        return self.document.size

    @property
    def sha256(self) -> str:
        return self.document.sha256

    @property
    def file(self):
        return self.document.file

    @property
    def type_label(self) -> str:
        return self.document.type_label


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
    """A finding or a condition. After the decision it is a live item followed to closure:
    an owner (a user), a due date, a status and a history (FindingEvent). The frozen record
    keeps its state at decision time; this row holds the current one."""

    class Kind(models.TextChoices):
        FINDING = "finding", _("Finding")
        CONDITION = "condition", _("Condition")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done, awaiting verification")
        VERIFIED = "verified", _("Verified")
        ACCEPTED = "accepted", _("Accepted as risk")

    CLOSED = (Status.VERIFIED, Status.ACCEPTED)
    LIVE = (Status.OPEN, Status.IN_PROGRESS, Status.DONE)

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FINDING)
    text = models.TextField()
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_findings",
        verbose_name=_("owner"),
    )
    # Free text from before owners were users (and from imported records); shown when no user is set.
    owner = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    question_code = models.CharField(max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    closure_note = models.TextField(_("closure notes"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # "Accepted as risk" rests on a risk acceptance.
    acceptance = models.ForeignKey(
        "RiskAcceptance", on_delete=models.PROTECT, null=True, blank=True, related_name="accepted_findings"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The open-conditions page and the work queue: live items by due date.
            models.Index(fields=["status", "due_date"], name="assess_finding_status_due"),
            models.Index(fields=["owner_user", "status", "due_date"], name="assess_finding_owner_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "in_progress", "done", "verified", "accepted"]),
                name="assessments_finding_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(acceptance__isnull=False),
                name="assessments_finding_accepted_has_acceptance",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(verified_at__isnull=False),
                name="assessments_finding_verified_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def owner_label(self) -> str:
        if self.owner_user_id:
            return self.owner_user.get_full_name() or self.owner_user.get_username()
        return self.owner


class FindingEvent(models.Model):
    """One step in a finding's life after it was raised. Append-only."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status}->{self.to_status}"


class RiskAcceptance(models.Model):
    """An accountable acceptance of one risk: a knockout, a flagged rule, or the residual rating
    as a whole. It starts as a request (who asked, of whom) and becomes an acceptance when a
    member with the authority records the reason, compensating controls and an expiry date.

    A Critical residual needs two accepted residual acceptances by different executives.
    """

    class Scope(models.TextChoices):
        KNOCKOUT = "knockout", _("Knockout")
        RULE = "rule", _("Flagged rule")
        RESIDUAL = "residual", _("Residual rating as a whole")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="acceptances")
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    rule = models.CharField(_("rule"), max_length=64, blank=True, help_text=_("The knockout or rule's name."))
    title = models.CharField(_("what is accepted"), max_length=300)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acceptances_requested",
        help_text=_("The approver asked, if one was named."),
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    request_note = models.TextField(blank=True)
    reason = models.TextField(_("reason"), blank=True)
    compensating_controls = models.TextField(_("compensating controls"), blank=True)
    conditions = models.ManyToManyField(Finding, blank=True, related_name="acceptances")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_by_label = models.CharField(max_length=200, blank=True)
    accepted_authority = models.PositiveSmallIntegerField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    # Accepted by someone involved in the answers, as the organisation's setting allows.
    separation_relaxed = models.BooleanField(default=False)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declined_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["status", "expires_on"], name="assess_acceptance_status_exp")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["knockout", "rule", "residual"]),
                name="assessments_acceptance_scope_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["requested", "accepted", "declined", "expired"]),
                name="assessments_acceptance_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(scope="residual") | ~models.Q(rule=""), name="assessments_acceptance_rule_named"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["accepted", "expired"])
                | (
                    models.Q(accepted_at__isnull=False, expires_on__isnull=False, accepted_authority__isnull=False)
                    & ~models.Q(reason="")
                    & ~models.Q(accepted_by_label="")
                ),
                name="assessments_acceptance_accepted_is_complete",
            ),
            # One person accepts one risk once; a Critical residual needs two different people.
            models.UniqueConstraint(
                fields=["assessment", "scope", "rule", "accepted_by"],
                condition=models.Q(status="accepted"),
                name="assessments_acceptance_once_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.rule} ({self.status})"


class Decision(models.Model):
    """What people decided, beside what the engine recommended at that moment.

    ``assessment.recommendation`` is the engine's; this row is the human record: outcome, who,
    in which role and under which authority, when, a note, and whether it departs from the
    recommendation or was taken with separation of duties relaxed. The frozen record holds
    the same, with the acceptances it rests on.
    """

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_label = models.CharField(max_length=200)
    # Blank / null on decisions taken before roles and authority were recorded (backfilled).
    role = models.CharField(max_length=16, blank=True)
    authority = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    recommendation = models.CharField(max_length=32)
    residual = models.CharField(max_length=16, blank=True)
    differs = models.BooleanField(default=False, help_text=_("The outcome departs from the recommendation."))
    separation_relaxed = models.BooleanField(
        default=False,
        help_text=_("Decided by someone who also answered, submitted or owns it, as the organisation allows."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["approved", "rejected"]), name="assessments_decision_outcome_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(differs=False) | ~models.Q(note=""), name="assessments_decision_differs_needs_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} by {self.by_label}"


class Attestation(models.Model):
    """The vendor respondent's attestation on submitting: name, title, the statement and the time."""

    STATEMENT = "These answers are accurate and I am authorised to give them on behalf of the vendor."

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attestations")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    statement = models.TextField(default=STATEMENT)
    contact_label = models.CharField(max_length=200, blank=True, help_text=_("The vendor contact the link was for."))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="assessments_attestation_name_required"),
            models.CheckConstraint(condition=~models.Q(title=""), name="assessments_attestation_title_required"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"


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
