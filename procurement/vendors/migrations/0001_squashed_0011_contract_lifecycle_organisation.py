import django.core.validators
import django.db.models.deletion
import procurement.vendors.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("vendors", "0001_initial"),
        ("vendors", "0002_supply_chain"),
        ("vendors", "0003_location_codes"),
        ("vendors", "0004_convert_locations"),
        ("vendors", "0005_chainchange_document"),
        ("vendors", "0006_supplylink_unknown_competitor_arrangement"),
        ("vendors", "0007_aiservice_currency"),
        ("vendors", "0008_modellifecycle_soc2review_document_auditor_and_more"),
        ("vendors", "0009_contracts_lifecycle"),
        ("vendors", "0010_contract_renewal_flag_document_expiry"),
        ("vendors", "0011_contract_lifecycle_organisation"),
    ]

    initial = True

    dependencies = [
        ("auth", "__first__"),
        ("core", "0001_squashed_0014_external_identity"),
    ]

    operations = [
        migrations.CreateModel(
            name="AIService",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[("api", "API"), ("product", "Product / SaaS"), ("hosted", "Hosted inference")],
                        default="api",
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("model_name", models.CharField(blank=True, max_length=200, verbose_name="underlying model")),
                ("model_provider", models.CharField(blank=True, max_length=200, verbose_name="model provider")),
                (
                    "annual_spend",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="annual spend"
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        blank=True,
                        help_text="ISO 4217 code of the annual spend, e.g. EUR.",
                        max_length=3,
                        verbose_name="currency",
                    ),
                ),
                ("business_use", models.TextField(blank=True, verbose_name="business use")),
                (
                    "required_regions",
                    models.CharField(
                        blank=True,
                        help_text="Places where inference must stay, as taxonomy codes joined by commas (eu, de, aws:eu-west-1; procurement/scoring/geo.py). Empty: no requirement.",
                        max_length=500,
                        verbose_name="required geography",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("prospect", "Prospect"),
                            ("active", "Active"),
                            ("offboarding", "Offboarding"),
                            ("ended", "Ended"),
                        ],
                        default="active",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended at")),
                (
                    "end_reason",
                    models.TextField(
                        blank=True,
                        help_text="Given when a service ends before its offboarding is complete.",
                        verbose_name="reason for ending",
                    ),
                ),
            ],
            options={
                "ordering": ["vendor__name", "name"],
            },
        ),
        migrations.CreateModel(
            name="Contract",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("reference", models.CharField(blank=True, max_length=100, verbose_name="contract reference")),
                ("buyer_party", models.CharField(max_length=200, verbose_name="our contracting entity")),
                ("vendor_party", models.CharField(max_length=200, verbose_name="vendor's contracting entity")),
                ("start_date", models.DateField(verbose_name="start date")),
                (
                    "end_date",
                    models.DateField(
                        blank=True,
                        help_text="Empty: runs until either side ends it.",
                        null=True,
                        verbose_name="end or renewal date",
                    ),
                ),
                ("auto_renews", models.BooleanField(default=False, verbose_name="renews automatically")),
                (
                    "renewal_term_months",
                    models.PositiveSmallIntegerField(
                        blank=True, help_text="Empty: 12 months.", null=True, verbose_name="each renewal runs (months)"
                    ),
                ),
                (
                    "renewal_notice_days",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Days before the renewal date by which we must say we will not renew.",
                        null=True,
                        verbose_name="notice to stop the renewal (days)",
                    ),
                ),
                (
                    "buyer_termination_notice_days",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="What we must give to end it.",
                        null=True,
                        verbose_name="our termination notice (days)",
                    ),
                ),
                (
                    "vendor_termination_notice_days",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="What the vendor must give us to end it. The notice-gap rule reads it.",
                        null=True,
                        verbose_name="vendor's termination notice (days)",
                    ),
                ),
                (
                    "pass_through_notice_days",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Notice the vendor commits to give when an upstream provider ends or reclaims capacity. 0: no commitment. Empty: the contract says nothing.",
                        null=True,
                        verbose_name="committed notice of upstream changes (days)",
                    ),
                ),
                (
                    "spend_amount",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="spend"),
                ),
                ("spend_currency", models.CharField(blank=True, max_length=3, verbose_name="currency")),
                (
                    "spend_period",
                    models.CharField(
                        choices=[
                            ("month", "per month"),
                            ("quarter", "per quarter"),
                            ("year", "per year"),
                            ("term", "for the whole term"),
                        ],
                        default="year",
                        max_length=8,
                        verbose_name="spend period",
                    ),
                ),
                ("renewal_flagged_for", models.DateField(blank=True, editable=False, null=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who is reminded of the notice dates. Empty: the vendor's owner.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_contracts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="contract owner",
                    ),
                ),
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="contract", to="vendors.aiservice"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Document",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(max_length=200, upload_to=procurement.vendors.models.document_path)),
                ("original_name", models.CharField(max_length=200, verbose_name="file name")),
                ("content_type", models.CharField(max_length=100, verbose_name="type")),
                ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                ("sha256", models.CharField(max_length=64)),
                (
                    "uploaded_by_label",
                    models.CharField(
                        blank=True,
                        help_text="Who uploaded, e.g. a vendor contact through the portal link.",
                        max_length=200,
                    ),
                ),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("soc2_type2", "SOC 2 Type II report"),
                            ("soc2_type1", "SOC 2 Type I report"),
                            ("iso27001", "ISO/IEC 27001 certificate"),
                            ("iso42001", "ISO/IEC 42001 certificate"),
                            ("pentest", "Penetration test letter"),
                            ("model_card", "Model card"),
                            ("dpa", "Data processing agreement"),
                            ("other", "Other"),
                        ],
                        max_length=16,
                        verbose_name="kind of document",
                    ),
                ),
                (
                    "issued_on",
                    models.DateField(
                        blank=True,
                        help_text="The report, certificate, letter or model card's date.",
                        null=True,
                        verbose_name="dated",
                    ),
                ),
                ("period_start", models.DateField(blank=True, null=True, verbose_name="period start")),
                ("period_end", models.DateField(blank=True, null=True, verbose_name="period end")),
                (
                    "expires_on",
                    models.DateField(
                        blank=True,
                        help_text="Certificates: the expiry printed on them. SOC 2 reports and pen-test letters count as current for 12 months after the period end or the letter's date unless you give a date here.",
                        null=True,
                        verbose_name="expires on",
                    ),
                ),
                (
                    "auditor",
                    models.CharField(blank=True, max_length=200, verbose_name="auditor, certification body or tester"),
                ),
                (
                    "opinion",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("unqualified", "Unqualified (clean)"),
                            ("qualified", "Qualified"),
                            ("adverse", "Adverse"),
                            ("disclaimer", "Disclaimer of opinion"),
                        ],
                        max_length=12,
                        verbose_name="opinion",
                    ),
                ),
                ("exceptions", models.TextField(blank=True, verbose_name="exceptions")),
                ("carve_outs", models.TextField(blank=True, verbose_name="carve-outs")),
                (
                    "subservice_other",
                    models.TextField(
                        blank=True,
                        help_text="Named in the report but not among the supply-chain providers, one per line.",
                        verbose_name="other subservice organisations",
                    ),
                ),
                ("cuecs", models.TextField(blank=True, verbose_name="complementary user entity controls (CUECs)")),
                (
                    "inference_in_scope",
                    models.BooleanField(blank=True, null=True, verbose_name="inference is in scope"),
                ),
                ("scope", models.TextField(blank=True, verbose_name="scope")),
                ("model_version", models.CharField(blank=True, max_length=200, verbose_name="model version")),
                ("details_by_label", models.CharField(blank=True, max_length=200)),
                ("details_at", models.DateTimeField(blank=True, null=True)),
                ("expiry_handled", models.DateField(blank=True, null=True)),
                ("expiry", models.DateField(blank=True, editable=False, null=True)),
                ("superseded", models.BooleanField(default=False, editable=False)),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["original_name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ContractDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("msa", "Master services agreement"),
                            ("dpa", "Data processing agreement"),
                            ("order_form", "Order form"),
                            ("other", "Other contract document"),
                        ],
                        default="msa",
                        max_length=12,
                        verbose_name="what it is",
                    ),
                ),
                ("added_by_label", models.CharField(blank=True, max_length=200)),
                ("added_at", models.DateTimeField(auto_now_add=True)),
                (
                    "contract",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="attachments", to="vendors.contract"
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="contract_links",
                        to="vendors.document",
                    ),
                ),
            ],
            options={
                "ordering": ["kind", "pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("contract", "document"), name="vendors_contractdocument_once"),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["msa", "dpa", "order_form", "other"])),
                        name="vendors_contractdocument_kind_valid",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="contract",
            name="documents",
            field=models.ManyToManyField(
                blank=True, related_name="contracts", through="vendors.ContractDocument", to="vendors.document"
            ),
        ),
        migrations.CreateModel(
            name="ModelLifecycle",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "model_version",
                    models.CharField(
                        blank=True,
                        help_text="The dated version we pin, if any.",
                        max_length=200,
                        verbose_name="model version in use",
                    ),
                ),
                ("deprecated_on", models.DateField(blank=True, null=True, verbose_name="deprecation date")),
                (
                    "retires_on",
                    models.DateField(
                        blank=True,
                        help_text="The day the vendor stops serving the model.",
                        null=True,
                        verbose_name="retirement date",
                    ),
                ),
                ("replacement", models.CharField(blank=True, max_length=200, verbose_name="replacement model")),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        help_text="Where the dates come from, e.g. the vendor's notice.",
                        max_length=300,
                        verbose_name="source",
                    ),
                ),
                ("updated_by_label", models.CharField(blank=True, max_length=200)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="model_lifecycle",
                        to="vendors.aiservice",
                    ),
                ),
            ],
            options={
                "ordering": ["retires_on", "pk"],
                "indexes": [
                    models.Index(fields=["retires_on"], name="vendors_modellife_retires"),
                    models.Index(fields=["organisation", "retires_on"], name="vendors_modellife_org_retires"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("deprecated_on__isnull", True),
                            ("retires_on__isnull", True),
                            ("retires_on__gte", models.F("deprecated_on")),
                            _connector="OR",
                        ),
                        name="vendors_modellifecycle_retire_after_deprecation",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Offboarding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField(auto_now_add=True)),
                ("started_by_label", models.CharField(blank=True, max_length=200)),
                ("deletion_confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("deletion_confirmed_by_label", models.CharField(blank=True, max_length=200)),
                ("access_revoked_at", models.DateTimeField(blank=True, null=True)),
                ("access_revoked_by_label", models.CharField(blank=True, max_length=200)),
                (
                    "access_note",
                    models.CharField(
                        blank=True,
                        help_text="Accounts, API keys, SSO apps, network rules.",
                        max_length=500,
                        verbose_name="what was revoked",
                    ),
                ),
                ("links_revoked_at", models.DateTimeField(blank=True, null=True)),
                ("links_revoked_by_label", models.CharField(blank=True, max_length=200)),
                (
                    "deletion_certificate",
                    models.ForeignKey(
                        blank=True,
                        help_text="The vendor's certificate that our data, backups included, is deleted (DAT-11).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="vendors.document",
                    ),
                ),
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="offboarding", to="vendors.aiservice"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("deletion_confirmed_at__isnull", True),
                            ("deletion_certificate__isnull", False),
                            _connector="OR",
                        ),
                        name="vendors_offboarding_deletion_has_certificate",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Provider",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("model_lab", "Model lab"),
                            ("hyperscaler", "Hyperscaler"),
                            ("gpu_cloud", "GPU cloud or neocloud"),
                            ("colocation", "Colocation or leased data centre"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                (
                    "owner",
                    models.CharField(
                        blank=True,
                        help_text="Providers with one owner count as one provider for concentration.",
                        max_length=200,
                        verbose_name="owner or parent company",
                    ),
                ),
                (
                    "country",
                    models.CharField(
                        blank=True,
                        help_text="ISO 3166 alpha-2 code in lower case (de).",
                        max_length=100,
                        verbose_name="country",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="providers", to="core.organisation"
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "name"), name="vendors_provider_unique_name_per_org"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind__in", ["model_lab", "hyperscaler", "gpu_cloud", "colocation", "other"])
                        ),
                        name="vendors_provider_kind_valid",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="document",
            name="subservice_providers",
            field=models.ManyToManyField(
                blank=True,
                related_name="soc2_reports",
                to="vendors.provider",
                verbose_name="subservice organisations from the supply chain",
            ),
        ),
        migrations.CreateModel(
            name="ChainChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("link_id", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "action",
                    models.CharField(
                        choices=[("created", "Added"), ("changed", "Changed"), ("removed", "Removed")], max_length=8
                    ),
                ),
                (
                    "subject",
                    models.CharField(help_text="What changed, in words, as it was named then.", max_length=400),
                ),
                ("fields", models.JSONField(blank=True, default=list)),
                ("by_label", models.CharField(blank=True, max_length=200)),
                ("at", models.DateTimeField(auto_now_add=True)),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="chain_changes",
                        to="core.organisation",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="chain_changes",
                        to="vendors.aiservice",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="changes",
                        to="vendors.provider",
                    ),
                ),
                (
                    "source_provider",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="downstream_changes",
                        to="vendors.provider",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-pk"],
                "indexes": [models.Index(fields=["organisation", "provider"], name="vendors_chainchange_provider")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("action__in", ["created", "changed", "removed"])),
                        name="vendors_chainchange_action",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ServiceChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "action",
                    models.CharField(
                        choices=[("created", "Added"), ("changed", "Changed"), ("removed", "Removed")], max_length=8
                    ),
                ),
                ("subject", models.CharField(max_length=400)),
                ("fields", models.JSONField(blank=True, default=list)),
                ("by_label", models.CharField(blank=True, max_length=200)),
                ("at", models.DateTimeField(auto_now_add=True)),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="service_changes",
                        to="core.organisation",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="changes", to="vendors.aiservice"
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("action__in", ["created", "changed", "removed"])),
                        name="vendors_servicechange_action",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SOC2Review",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reviewer_label", models.CharField(max_length=200)),
                ("reviewed_at", models.DateTimeField(auto_now_add=True)),
                ("checklist", models.JSONField(default=list)),
                (
                    "conclusion",
                    models.CharField(
                        choices=[
                            ("rely", "We can rely on this report"),
                            ("follow_up", "We can rely on it with follow-up"),
                            ("not_rely", "We cannot rely on this report"),
                        ],
                        max_length=12,
                        verbose_name="conclusion",
                    ),
                ),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="soc2_reviews", to="vendors.document"
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-reviewed_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("conclusion__in", ["rely", "follow_up", "not_rely"])),
                        name="vendors_soc2review_conclusion_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SupplyLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("model_provider", "Model provider"),
                            ("inference_compute", "Inference compute"),
                            ("training_compute", "Training compute"),
                            ("storage", "Storage"),
                            ("network", "Network"),
                        ],
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "regions",
                    models.CharField(
                        blank=True,
                        help_text="Taxonomy codes joined by commas (eu, de, aws:eu-west-1; procurement/scoring/geo.py).",
                        max_length=500,
                        verbose_name="regions or countries",
                    ),
                ),
                (
                    "share",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Of the source's capacity for this role. Empty: split evenly with the other links.",
                        max_digits=5,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="share of capacity (%)",
                    ),
                ),
                (
                    "arrangement",
                    models.CharField(
                        choices=[
                            ("owned", "Owned"),
                            ("reserved", "Reserved"),
                            ("on_demand", "On-demand"),
                            ("lease", "Lease"),
                            ("unknown", "Not known"),
                        ],
                        default="on_demand",
                        max_length=12,
                        verbose_name="arrangement",
                    ),
                ),
                (
                    "notice_days",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Empty: unknown.",
                        null=True,
                        verbose_name="termination or reclaim notice (days)",
                    ),
                ),
                ("pass_through", models.BooleanField(default=False, verbose_name="vendor passes this notice on")),
                ("alternative", models.BooleanField(default=False, verbose_name="an alternative channel exists")),
                (
                    "competitor",
                    models.BooleanField(
                        blank=True,
                        default=None,
                        help_text="Not known counts as a finding under the upstream-notice rule until you confirm it.",
                        null=True,
                        verbose_name="provider competes with whom it supplies",
                    ),
                ),
                (
                    "from_provider",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="upstream_links",
                        to="vendors.provider",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="supplies", to="vendors.provider"
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supply_links",
                        to="vendors.aiservice",
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("service__isnull", False), ("from_provider__isnull", True)),
                            models.Q(("service__isnull", True), ("from_provider__isnull", False)),
                            _connector="OR",
                        ),
                        name="vendors_supplylink_one_source",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("share__isnull", True), models.Q(("share__gte", 0), ("share__lte", 100)), _connector="OR"
                        ),
                        name="vendors_supplylink_share_0_100",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("from_provider", models.F("provider")), _negated=True),
                        name="vendors_supplylink_not_self",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "role__in",
                                ["model_provider", "inference_compute", "training_compute", "storage", "network"],
                            )
                        ),
                        name="vendors_supplylink_role_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("arrangement__in", ["owned", "reserved", "on_demand", "lease", "unknown"])),
                        name="vendors_supplylink_arrangement_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Vendor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("website", models.URLField(blank=True, verbose_name="website")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("prospect", "Prospect"),
                            ("active", "Active"),
                            ("offboarding", "Offboarding"),
                            ("ended", "Ended"),
                        ],
                        default="active",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="vendors", to="core.organisation"
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_vendors",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("organisation", "name"), name="vendors_vendor_unique_name_per_org"),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["prospect", "active", "offboarding", "ended"])),
                        name="vendors_vendor_status_valid",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="document",
            name="vendor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="documents", to="vendors.vendor"
            ),
        ),
        migrations.AddField(
            model_name="aiservice",
            name="vendor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="services", to="vendors.vendor"
            ),
        ),
        migrations.CreateModel(
            name="VendorContact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("email", models.EmailField(max_length=254, verbose_name="email")),
                ("role", models.CharField(blank=True, max_length=120, verbose_name="role")),
                (
                    "vendor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="contacts", to="vendors.vendor"
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(fields=["organisation", "auto_renews", "end_date"], name="vendors_contract_org_end"),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end_date__isnull", True), ("end_date__gt", models.F("start_date")), _connector="OR"
                ),
                name="vendors_contract_end_after_start",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(("auto_renews", False), ("end_date__isnull", False), _connector="OR"),
                name="vendors_contract_renewal_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("renewal_term_months__isnull", True),
                    models.Q(("renewal_term_months__gte", 1), ("renewal_term_months__lte", 120)),
                    _connector="OR",
                ),
                name="vendors_contract_renewal_term_1_120",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("renewal_notice_days__isnull", True), ("renewal_notice_days__gte", 0), _connector="OR"
                ),
                name="vendors_contract_renewal_notice_days_nonneg",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("buyer_termination_notice_days__isnull", True),
                    ("buyer_termination_notice_days__gte", 0),
                    _connector="OR",
                ),
                name="vendors_contract_buyer_termination_notice_days_nonneg",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("vendor_termination_notice_days__isnull", True),
                    ("vendor_termination_notice_days__gte", 0),
                    _connector="OR",
                ),
                name="vendors_contract_vendor_termination_notice_days_nonneg",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("pass_through_notice_days__isnull", True), ("pass_through_notice_days__gte", 0), _connector="OR"
                ),
                name="vendors_contract_pass_through_notice_days_nonneg",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(("spend_amount__isnull", True), ("spend_amount__gte", 0), _connector="OR"),
                name="vendors_contract_spend_nonneg",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("spend_amount__isnull", True), models.Q(("spend_currency", ""), _negated=True), _connector="OR"
                ),
                name="vendors_contract_spend_has_currency",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(("spend_period__in", ["month", "quarter", "year", "term"])),
                name="vendors_contract_spend_period_valid",
            ),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["vendor", "kind"], name="vendors_document_kind"),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("superseded", False)),
                fields=["vendor", "expiry"],
                name="vendors_document_live_expiry",
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.UniqueConstraint(
                fields=("vendor", "sha256"), name="vendors_document_unique_content_per_vendor"
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("period_start__isnull", True),
                    ("period_end__isnull", True),
                    ("period_end__gte", models.F("period_start")),
                    _connector="OR",
                ),
                name="vendors_document_period_ordered",
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("issued_on__isnull", True),
                    ("expires_on__isnull", True),
                    ("expires_on__gte", models.F("issued_on")),
                    _connector="OR",
                ),
                name="vendors_document_expiry_after_issue",
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "",
                            "soc2_type2",
                            "soc2_type1",
                            "iso27001",
                            "iso42001",
                            "pentest",
                            "model_card",
                            "dpa",
                            "other",
                        ],
                    )
                ),
                name="vendors_document_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(("opinion__in", ["", "unqualified", "qualified", "adverse", "disclaimer"])),
                name="vendors_document_opinion_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="aiservice",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["prospect", "active", "offboarding", "ended"])),
                name="vendors_service_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="aiservice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "ended"), _negated=True), ("ended_at__isnull", False), _connector="OR"
                ),
                name="vendors_service_ended_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="aiservice",
            constraint=models.UniqueConstraint(
                fields=("vendor", "name"), name="vendors_service_unique_name_per_vendor"
            ),
        ),
        migrations.AddConstraint(
            model_name="aiservice",
            constraint=models.CheckConstraint(
                condition=models.Q(("annual_spend__isnull", True), ("annual_spend__gte", 0), _connector="OR"),
                name="vendors_service_spend_nonneg",
            ),
        ),
        migrations.AddConstraint(
            model_name="aiservice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("annual_spend__isnull", True), models.Q(("currency", ""), _negated=True), _connector="OR"
                ),
                name="vendors_service_spend_has_currency",
            ),
        ),
    ]
