import calendar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from procurement.core.models import Organisation, TimeStampedModel
from procurement.core.money import money_format


class Lifecycle(models.TextChoices):
    """Where a vendor or a service stands: considered, in use, being left, left."""

    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    OFFBOARDING = "offboarding", _("Offboarding")
    ENDED = "ended", _("Ended")


LIFECYCLE_VALUES = ["prospect", "active", "offboarding", "ended"]


class Vendor(TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="vendors")
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_vendors"
    )
    status = models.CharField(_("status"), max_length=12, choices=Lifecycle.choices, default=Lifecycle.ACTIVE)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="vendors_vendor_unique_name_per_org"),
            models.CheckConstraint(condition=models.Q(status__in=LIFECYCLE_VALUES), name="vendors_vendor_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:detail", args=[self.pk])


class VendorContact(TimeStampedModel):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=120, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class AIService(TimeStampedModel):
    class Kind(models.TextChoices):
        API = "api", _("API")
        PRODUCT = "product", _("Product / SaaS")
        HOSTED = "hosted", _("Hosted inference")

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.API)
    model_name = models.CharField(_("underlying model"), max_length=200, blank=True)
    model_provider = models.CharField(_("model provider"), max_length=200, blank=True)
    annual_spend = models.DecimalField(_("annual spend"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code of the annual spend, e.g. EUR.")
    )
    business_use = models.TextField(_("business use"), blank=True)
    required_regions = models.CharField(
        _("required geography"),
        max_length=500,
        blank=True,
        help_text=_(
            "Places where inference must stay, as taxonomy codes joined by commas (eu, de, aws:eu-west-1; "
            "procurement/scoring/geo.py). Empty: no requirement."
        ),
    )
    status = models.CharField(_("status"), max_length=12, choices=Lifecycle.choices, default=Lifecycle.ACTIVE)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(
        _("reason for ending"), blank=True, help_text=_("Given when a service ends before its offboarding is complete.")
    )

    class Meta:
        ordering = ["vendor__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=LIFECYCLE_VALUES), name="vendors_service_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ended") | models.Q(ended_at__isnull=False),
                name="vendors_service_ended_has_date",
            ),
            models.UniqueConstraint(fields=["vendor", "name"], name="vendors_service_unique_name_per_vendor"),
            models.CheckConstraint(
                condition=models.Q(annual_spend__isnull=True) | models.Q(annual_spend__gte=0),
                name="vendors_service_spend_nonneg",
            ),
            models.CheckConstraint(
                condition=models.Q(annual_spend__isnull=True) | ~models.Q(currency=""),
                name="vendors_service_spend_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor.name} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("vendors:service", args=[self.vendor_id, self.pk])

    @property
    def spend_display(self) -> str:
        """The annual spend as shown everywhere: EUR 250,000, or a dash."""
        return money_format(self.annual_spend, self.currency)

    @property
    def allowed_regions(self) -> tuple[str, ...]:
        return tuple(r.strip().lower() for r in self.required_regions.split(",") if r.strip())


# --- Compute supply chain ----------------------------------------------------------------


class Provider(TimeStampedModel):
    """An upstream company or site in the organisation's AI supply chains: a model lab, a cloud, a data centre."""

    class Kind(models.TextChoices):
        MODEL_LAB = "model_lab", _("Model lab")
        HYPERSCALER = "hyperscaler", _("Hyperscaler")
        GPU_CLOUD = "gpu_cloud", _("GPU cloud or neocloud")
        COLOCATION = "colocation", _("Colocation or leased data centre")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="providers")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    owner = models.CharField(
        _("owner or parent company"),
        max_length=200,
        blank=True,
        help_text=_("Providers with one owner count as one provider for concentration."),
    )
    country = models.CharField(
        _("country"), max_length=100, blank=True, help_text=_("ISO 3166 alpha-2 code in lower case (de).")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="vendors_provider_unique_name_per_org"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["model_lab", "hyperscaler", "gpu_cloud", "colocation", "other"]),
                name="vendors_provider_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:provider", args=[self.pk])

    @property
    def group(self) -> str:
        return self.owner or self.name


class SupplyLink(TimeStampedModel):
    """One dependency: a service (or, for deeper tiers, an upstream provider) gets part of a role from a provider."""

    class Role(models.TextChoices):
        MODEL_PROVIDER = "model_provider", _("Model provider")
        INFERENCE_COMPUTE = "inference_compute", _("Inference compute")
        TRAINING_COMPUTE = "training_compute", _("Training compute")
        STORAGE = "storage", _("Storage")
        NETWORK = "network", _("Network")

    class Arrangement(models.TextChoices):
        OWNED = "owned", _("Owned")
        RESERVED = "reserved", _("Reserved")
        ON_DEMAND = "on_demand", _("On-demand")
        LEASE = "lease", _("Lease")
        UNKNOWN = "unknown", _("Not known")

    service = models.ForeignKey(AIService, on_delete=models.CASCADE, null=True, blank=True, related_name="supply_links")
    from_provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="upstream_links"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="supplies")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    regions = models.CharField(
        _("regions or countries"),
        max_length=500,
        blank=True,
        help_text=_("Taxonomy codes joined by commas (eu, de, aws:eu-west-1; procurement/scoring/geo.py)."),
    )
    share = models.DecimalField(
        _("share of capacity (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Of the source's capacity for this role. Empty: split evenly with the other links."),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    arrangement = models.CharField(
        _("arrangement"), max_length=12, choices=Arrangement.choices, default=Arrangement.ON_DEMAND
    )
    notice_days = models.PositiveIntegerField(
        _("termination or reclaim notice (days)"), null=True, blank=True, help_text=_("Empty: unknown.")
    )
    pass_through = models.BooleanField(_("vendor passes this notice on"), default=False)
    alternative = models.BooleanField(_("an alternative channel exists"), default=False)
    # None: not recorded. The upstream-notice rule counts an unknown status as a finding, marked
    # "unknown"; rows from before this field could say "not known" read as not recorded until confirmed.
    competitor = models.BooleanField(
        _("provider competes with whom it supplies"),
        null=True,
        blank=True,
        default=None,
        help_text=_("Not known counts as a finding under the upstream-notice rule until you confirm it."),
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(service__isnull=False) & models.Q(from_provider__isnull=True))
                | (models.Q(service__isnull=True) & models.Q(from_provider__isnull=False)),
                name="vendors_supplylink_one_source",
            ),
            models.CheckConstraint(
                condition=models.Q(share__isnull=True) | (models.Q(share__gte=0) & models.Q(share__lte=100)),
                name="vendors_supplylink_share_0_100",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_provider=models.F("provider")), name="vendors_supplylink_not_self"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    role__in=["model_provider", "inference_compute", "training_compute", "storage", "network"]
                ),
                name="vendors_supplylink_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(arrangement__in=["owned", "reserved", "on_demand", "lease", "unknown"]),
                name="vendors_supplylink_arrangement_valid",
            ),
        ]

    def __str__(self) -> str:
        source = self.service.name if self.service_id else str(self.from_provider)
        return f"{source} → {self.provider} ({self.get_role_display()})"

    @property
    def region_list(self) -> tuple[str, ...]:
        return tuple(r.strip() for r in self.regions.split(",") if r.strip())


# --- Documents -----------------------------------------------------------------------------


# The accepted types, read from the content (procurement/vendors/documents.py), in words.
DOCUMENT_TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "text/plain": "text",
    "text/csv": "CSV text",
    "text/markdown": "text (Markdown)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document (DOCX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook (XLSX)",
}


class DocumentKind(models.TextChoices):
    """What a vendor document is, for the evidence register (blank: not said yet)."""

    SOC2_TYPE2 = "soc2_type2", _("SOC 2 Type II report")
    SOC2_TYPE1 = "soc2_type1", _("SOC 2 Type I report")
    ISO27001 = "iso27001", _("ISO/IEC 27001 certificate")
    ISO42001 = "iso42001", _("ISO/IEC 42001 certificate")
    PENTEST = "pentest", _("Penetration test letter")
    MODEL_CARD = "model_card", _("Model card")
    DPA = "dpa", _("Data processing agreement")
    OTHER = "other", _("Other")


class AuditOpinion(models.TextChoices):
    UNQUALIFIED = "unqualified", _("Unqualified (clean)")
    QUALIFIED = "qualified", _("Qualified")
    ADVERSE = "adverse", _("Adverse")
    DISCLAIMER = "disclaimer", _("Disclaimer of opinion")


# A SOC 2 report or a pen-test letter counts as current this long after its period end or date.
CURRENT_FOR_MONTHS = 12
# "Expiring" in the register and the first reminder: this many days before the expiry date.
EXPIRING_DAYS = 30


def add_months(day, months: int):
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def expiry_status(expires, today) -> str:
    if expires is None:
        return ""
    if expires < today:
        return "expired"
    if (expires - today).days <= EXPIRING_DAYS:
        return "expiring"
    return "valid"


def document_path(instance: "Document", filename: str) -> str:
    return f"documents/{instance.vendor.organisation_id}/{instance.vendor_id}/{instance.sha256[:16]}"


class Document(models.Model):
    """A file the vendor (or the team, about the vendor) supplied: a DPA, a model card, a SOC 2
    report. Stored once per vendor by content (sha256) and linked to the answers it supports
    (procurement.assessments.models.Evidence), in this assessment or later ones of the same vendor.

    The content type is the one read from the bytes (procurement.vendors.documents), never the
    name's or the browser's. The evidence register (types, expiry dates) extends this model."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_by_label = models.CharField(
        max_length=200, blank=True, help_text=_("Who uploaded, e.g. a vendor contact through the portal link.")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    # --- Evidence register: what the document is and the dates it carries (vendors/evidence.py).
    kind = models.CharField(_("kind of document"), max_length=16, choices=DocumentKind.choices, blank=True)
    issued_on = models.DateField(
        _("dated"), null=True, blank=True, help_text=_("The report, certificate, letter or model card's date.")
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_(
            "Certificates: the expiry printed on them. SOC 2 reports and pen-test letters count as current for "
            "12 months after the period end or the letter's date unless you give a date here."
        ),
    )
    auditor = models.CharField(_("auditor, certification body or tester"), max_length=200, blank=True)
    opinion = models.CharField(_("opinion"), max_length=12, choices=AuditOpinion.choices, blank=True)
    exceptions = models.TextField(_("exceptions"), blank=True)
    carve_outs = models.TextField(_("carve-outs"), blank=True)
    subservice_providers = models.ManyToManyField(
        Provider,
        blank=True,
        related_name="soc2_reports",
        verbose_name=_("subservice organisations from the supply chain"),
    )
    subservice_other = models.TextField(
        _("other subservice organisations"),
        blank=True,
        help_text=_("Named in the report but not among the supply-chain providers, one per line."),
    )
    cuecs = models.TextField(_("complementary user entity controls (CUECs)"), blank=True)
    inference_in_scope = models.BooleanField(_("inference is in scope"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    model_version = models.CharField(_("model version"), max_length=200, blank=True)
    details_by_label = models.CharField(max_length=200, blank=True)
    details_at = models.DateTimeField(null=True, blank=True)
    # The expiry date whose passing was handled (open assessments rescored, decided ones flagged),
    # so send_notifications does it once per date.
    expiry_handled = models.DateField(null=True, blank=True)
    # ``expiry_date`` stored on every save (the calendar and the reminders read it through an
    # index), and whether a later document of the same kind from the same vendor supersedes
    # this one (kept by ``documents_supersede_refresh`` on every save).
    expiry = models.DateField(null=True, blank=True, editable=False)
    superseded = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["original_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "sha256"], name="vendors_document_unique_content_per_vendor"),
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="vendors_document_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(issued_on__isnull=True)
                | models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="vendors_document_expiry_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["", *DocumentKind.values]), name="vendors_document_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(opinion__in=["", *AuditOpinion.values]), name="vendors_document_opinion_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["vendor", "kind"], name="vendors_document_kind"),
            # The calendar's walk: per vendor of the organisation, its live documents by expiry.
            models.Index(
                fields=["vendor", "expiry"], name="vendors_document_live_expiry", condition=models.Q(superseded=False)
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    # What ``expiry_date`` reads: a save touching any of these stores the expiry again.
    EXPIRY_INPUTS = frozenset({"kind", "expires_on", "period_end", "issued_on"})

    def save(self, *args, **kwargs):
        self.expiry = self.expiry_date
        fields = kwargs.get("update_fields")
        if fields is not None and self.EXPIRY_INPUTS & set(fields):
            kwargs["update_fields"] = {*fields, "expiry"}
        super().save(*args, **kwargs)
        if fields is None or self.EXPIRY_INPUTS & set(fields):
            documents_supersede_refresh(vendor_id=self.vendor_id)

    @property
    def type_label(self) -> str:
        """The type in words, such as "PDF" or "Word document"."""
        return DOCUMENT_TYPE_LABELS.get(self.content_type, "file")

    @property
    def is_soc2(self) -> bool:
        return self.kind in (DocumentKind.SOC2_TYPE1, DocumentKind.SOC2_TYPE2)

    @property
    def expiry_date(self):
        """The day after which the document no longer counts: the date given, else 12 months
        after a SOC 2 period end or a pen-test letter's date; None when it carries no expiry."""
        if self.expires_on:
            return self.expires_on
        if self.is_soc2 and self.period_end:
            return add_months(self.period_end, CURRENT_FOR_MONTHS)
        if self.kind == DocumentKind.PENTEST and self.issued_on:
            return add_months(self.issued_on, CURRENT_FOR_MONTHS)
        return None

    def expiry_status(self, today) -> str:
        """ "expired", "expiring" (within EXPIRING_DAYS), "valid", or "" without an expiry date."""
        return expiry_status(self.expiry_date, today)


def documents_supersede_refresh(*, vendor_id: int) -> None:
    """Mark each of the vendor's documents superseded when another of the same kind expires
    later (a newer SOC 2 report replaces the old one: no reminder, off the calendar). One
    UPDATE over the vendor's documents."""
    later = Document.objects.filter(
        vendor_id=models.OuterRef("vendor_id"), kind=models.OuterRef("kind"), expiry__gt=models.OuterRef("expiry")
    )
    Document.objects.filter(vendor_id=vendor_id).update(superseded=models.Exists(later))


# --- History of the supply chain -------------------------------------------------------------


class ChainChange(models.Model):
    """One change to a provider or a supply link: who, when, and each field's old and new value
    as a person reads it (labels, not stored codes). Append-only; kept when the link is removed."""

    class Action(models.TextChoices):
        CREATED = "created", _("Added")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="chain_changes")
    provider = models.ForeignKey(Provider, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes")
    service = models.ForeignKey(
        AIService, on_delete=models.SET_NULL, null=True, blank=True, related_name="chain_changes"
    )
    # A deeper-tier link's source provider (its page shows the change too).
    source_provider = models.ForeignKey(
        Provider, on_delete=models.SET_NULL, null=True, blank=True, related_name="downstream_changes"
    )
    link_id = models.PositiveIntegerField(null=True, blank=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    subject = models.CharField(max_length=400, help_text=_("What changed, in words, as it was named then."))
    # [{"field": label, "old": text, "new": text}, ...]
    fields = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "provider"], name="vendors_chainchange_provider")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["created", "changed", "removed"]), name="vendors_chainchange_action"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.subject}"


# --- Evidence register: SOC 2 reviews -----------------------------------------------------

# What a reviewer checks in a SOC 2 report, in order: key, question.
SOC2_CHECKLIST = (
    ("type_two", "It is a Type II report (controls tested over a period, not at one date)."),
    ("period_recent", "The period covers at least six months and ended within the last 12 months."),
    ("opinion_clean", "The auditor's opinion is unqualified."),
    ("service_in_scope", "The system description covers the service we buy."),
    ("inference_in_scope", "Inference (model serving) and its infrastructure are in scope."),
    ("exceptions_reviewed", "Each exception is understood and none affects our use."),
    ("subservice_covered", "Each carved-out subservice organisation has its own assurance report."),
    ("cuecs_mapped", "Each complementary user entity control (CUEC) maps to a control we run."),
    ("bridge_letter", "A bridge letter covers the time since the period end, where needed."),
)


class SOC2Review(models.Model):
    """What a reviewer checked in one SOC 2 report: who, when, each checklist answer with an
    optional note, and a conclusion. Append-only: a second review adds a row."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        NA = "na", _("Not applicable")

    class Conclusion(models.TextChoices):
        RELY = "rely", _("We can rely on this report")
        RELY_WITH_FOLLOW_UP = "follow_up", _("We can rely on it with follow-up")
        NOT_RELY = "not_rely", _("We cannot rely on this report")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="soc2_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewer_label = models.CharField(max_length=200)
    reviewed_at = models.DateTimeField(auto_now_add=True)
    # [{"key": ..., "answer": "yes" | "no" | "na", "note": text}, ...] in SOC2_CHECKLIST order.
    checklist = models.JSONField(default=list)
    conclusion = models.CharField(_("conclusion"), max_length=12, choices=Conclusion.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(conclusion__in=["rely", "follow_up", "not_rely"]),
                name="vendors_soc2review_conclusion_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} reviewed by {self.reviewer_label}"

    @property
    def checklist_rows(self) -> list[dict]:
        """Each checklist item with its question and its answer in words."""
        given = {row.get("key"): row for row in self.checklist}
        labels = dict(self.Answer.choices)
        return [
            {
                "question": question,
                "answer": labels.get(given.get(key, {}).get("answer"), "Not answered"),
                "note": given.get(key, {}).get("note", ""),
            }
            for key, question in SOC2_CHECKLIST
        ]


# --- Model lifecycle ----------------------------------------------------------------------


class ModelLifecycle(models.Model):
    """The model an AI service uses and what its vendor has announced about it: the version
    in use, the deprecation and retirement dates, and the replacement. One per service."""

    service = models.OneToOneField(AIService, on_delete=models.CASCADE, related_name="model_lifecycle")
    # The service's vendor's organisation, set on save (it never changes): the calendar reads the
    # organisation's retirements through (organisation, retires_on), not through all its services.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", editable=False, blank=True
    )
    model_version = models.CharField(
        _("model version in use"), max_length=200, blank=True, help_text=_("The dated version we pin, if any.")
    )
    deprecated_on = models.DateField(_("deprecation date"), null=True, blank=True)
    retires_on = models.DateField(
        _("retirement date"), null=True, blank=True, help_text=_("The day the vendor stops serving the model.")
    )
    replacement = models.CharField(_("replacement model"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where the dates come from, e.g. the vendor's notice.")
    )
    updated_by_label = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["retires_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deprecated_on__isnull=True)
                | models.Q(retires_on__isnull=True)
                | models.Q(retires_on__gte=models.F("deprecated_on")),
                name="vendors_modellifecycle_retire_after_deprecation",
            ),
        ]
        indexes = [
            models.Index(fields=["retires_on"], name="vendors_modellife_retires"),
            # The calendar's model retirements (procurement.portfolio.obligations).
            models.Index(fields=["organisation", "retires_on"], name="vendors_modellife_org_retires"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.model_version or 'model'}"

    def save(self, *args, **kwargs):
        if self.organisation_id is None:
            self.organisation_id = self.service.vendor.organisation_id
        super().save(*args, **kwargs)


# --- Contracts ---------------------------------------------------------------------------


class Contract(TimeStampedModel):
    """The signed contract behind one AI service: who signed, how long it runs, how much notice
    each side owes, and what it costs. Its notice figures feed the notice-gap rule beside the
    vendor's questionnaire answers (procurement.assessments.selectors.supply_chain_snapshot)."""

    class Period(models.TextChoices):
        MONTH = "month", _("per month")
        QUARTER = "quarter", _("per quarter")
        YEAR = "year", _("per year")
        TERM = "term", _("for the whole term")

    service = models.OneToOneField(AIService, on_delete=models.CASCADE, related_name="contract")
    # The service's vendor's organisation, set on save (it never changes): the calendar reads the
    # organisation's contract dates through (organisation, auto_renews, end_date) instead of
    # walking every service of the organisation to reach them.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", editable=False, blank=True
    )
    reference = models.CharField(_("contract reference"), max_length=100, blank=True)
    buyer_party = models.CharField(_("our contracting entity"), max_length=200)
    vendor_party = models.CharField(_("vendor's contracting entity"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_contracts",
        verbose_name=_("contract owner"),
        help_text=_("Who is reminded of the notice dates. Empty: the vendor's owner."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end or renewal date"), null=True, blank=True, help_text=_("Empty: runs until either side ends it.")
    )
    auto_renews = models.BooleanField(_("renews automatically"), default=False)
    renewal_term_months = models.PositiveSmallIntegerField(
        _("each renewal runs (months)"), null=True, blank=True, help_text=_("Empty: 12 months.")
    )
    renewal_notice_days = models.PositiveIntegerField(
        _("notice to stop the renewal (days)"),
        null=True,
        blank=True,
        help_text=_("Days before the renewal date by which we must say we will not renew."),
    )
    buyer_termination_notice_days = models.PositiveIntegerField(
        _("our termination notice (days)"), null=True, blank=True, help_text=_("What we must give to end it.")
    )
    vendor_termination_notice_days = models.PositiveIntegerField(
        _("vendor's termination notice (days)"),
        null=True,
        blank=True,
        help_text=_("What the vendor must give us to end it. The notice-gap rule reads it."),
    )
    pass_through_notice_days = models.PositiveIntegerField(
        _("committed notice of upstream changes (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Notice the vendor commits to give when an upstream provider ends or reclaims capacity. "
            "0: no commitment. Empty: the contract says nothing."
        ),
    )
    spend_amount = models.DecimalField(_("spend"), max_digits=14, decimal_places=2, null=True, blank=True)
    spend_currency = models.CharField(_("currency"), max_length=3, blank=True)
    spend_period = models.CharField(_("spend period"), max_length=8, choices=Period.choices, default=Period.YEAR)
    documents = models.ManyToManyField(Document, through="ContractDocument", related_name="contracts", blank=True)
    # The notice or renewal date whose approach flagged the service for reassessment (trigger
    # "contract_renewal"), so send_notifications does it once per date.
    renewal_flagged_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gt=models.F("start_date")),
                name="vendors_contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(auto_renews=False) | models.Q(end_date__isnull=False),
                name="vendors_contract_renewal_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(renewal_term_months__isnull=True)
                | (models.Q(renewal_term_months__gte=1) & models.Q(renewal_term_months__lte=120)),
                name="vendors_contract_renewal_term_1_120",
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True}) | models.Q(**{f"{name}__gte": 0}),
                    name=f"vendors_contract_{name}_nonneg",
                )
                for name in (
                    "renewal_notice_days",
                    "buyer_termination_notice_days",
                    "vendor_termination_notice_days",
                    "pass_through_notice_days",
                )
            ),
            models.CheckConstraint(
                condition=models.Q(spend_amount__isnull=True) | models.Q(spend_amount__gte=0),
                name="vendors_contract_spend_nonneg",
            ),
            models.CheckConstraint(
                condition=models.Q(spend_amount__isnull=True) | ~models.Q(spend_currency=""),
                name="vendors_contract_spend_has_currency",
            ),
            models.CheckConstraint(
                condition=models.Q(spend_period__in=["month", "quarter", "year", "term"]),
                name="vendors_contract_spend_period_valid",
            ),
        ]
        indexes = [
            # The calendar's contract dates (procurement.portfolio.obligations._contract_dates).
            models.Index(fields=["organisation", "auto_renews", "end_date"], name="vendors_contract_org_end"),
        ]

    def __str__(self) -> str:
        return f"Contract {self.reference or 'without reference'} for {self.service}"

    def save(self, *args, **kwargs):
        if self.organisation_id is None:
            self.organisation_id = self.service.vendor.organisation_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from procurement.vendors.contracts import contract_validate  # the checks live with the writes

        contract_validate(self)

    def get_absolute_url(self) -> str:
        return reverse("vendors:service", args=[self.service.vendor_id, self.service_id]) + "#contract"

    @property
    def spend_display(self) -> str:
        """``EUR 20,000 per month``, or a dash."""
        if self.spend_amount is None:
            return money_format(None)
        return f"{money_format(self.spend_amount, self.spend_currency)} {self.get_spend_period_display()}"


class ContractDocument(models.Model):
    """A vendor document attached to a contract as its MSA, DPA, order form or another part."""

    class Kind(models.TextChoices):
        MSA = "msa", _("Master services agreement")
        DPA = "dpa", _("Data processing agreement")
        ORDER_FORM = "order_form", _("Order form")
        OTHER = "other", _("Other contract document")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="contract_links")
    kind = models.CharField(_("what it is"), max_length=12, choices=Kind.choices, default=Kind.MSA)
    added_by_label = models.CharField(max_length=200, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "document"], name="vendors_contractdocument_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["msa", "dpa", "order_form", "other"]),
                name="vendors_contractdocument_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.document}"


# --- Offboarding and the service's own history ------------------------------------------------


class Offboarding(models.Model):
    """The checklist for leaving a service: each step with when and by whom it was done. The
    final report step is read from the reports, not ticked (procurement.portfolio.lifecycle)."""

    service = models.OneToOneField(AIService, on_delete=models.CASCADE, related_name="offboarding")
    started_at = models.DateTimeField(auto_now_add=True)
    started_by_label = models.CharField(max_length=200, blank=True)
    deletion_certificate = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The vendor's certificate that our data, backups included, is deleted (DAT-11)."),
    )
    deletion_confirmed_at = models.DateTimeField(null=True, blank=True)
    deletion_confirmed_by_label = models.CharField(max_length=200, blank=True)
    access_revoked_at = models.DateTimeField(null=True, blank=True)
    access_revoked_by_label = models.CharField(max_length=200, blank=True)
    access_note = models.CharField(
        _("what was revoked"), max_length=500, blank=True, help_text=_("Accounts, API keys, SSO apps, network rules.")
    )
    links_revoked_at = models.DateTimeField(null=True, blank=True)
    links_revoked_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deletion_confirmed_at__isnull=True) | models.Q(deletion_certificate__isnull=False),
                name="vendors_offboarding_deletion_has_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"Offboarding of {self.service}"


class ServiceChange(models.Model):
    """One change to a service's contract or lifecycle: who, when, and each field's old and new
    value in words (as procurement.vendors.history writes them). Append-only."""

    class Action(models.TextChoices):
        CREATED = "created", _("Added")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="service_changes")
    service = models.ForeignKey(AIService, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=8, choices=Action.choices)
    subject = models.CharField(max_length=400)
    # [{"field": label, "old": text, "new": text}, ...]
    fields = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["created", "changed", "removed"]), name="vendors_servicechange_action"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.subject}"
