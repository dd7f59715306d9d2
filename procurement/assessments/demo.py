"""Demo vendors and assessments in every state (used by seed_demo). Idempotent."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.models import Assessment
from procurement.assessments.services import AnswerInput
from procurement.core.models import Membership, Organisation
from procurement.questionbank import document as bankdoc
from procurement.questionbank.document import read_yaml
from procurement.questionbank.models import QuestionBank
from procurement.questionbank.services import bank_load
from procurement.questionbank.values import is_undisclosed_mark, typed_value
from procurement.vendors.models import AIService, Vendor, VendorContact

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SHIPPED_BANK = FIXTURES / "banks" / "ai-vendor-due-diligence.yaml"

DEMO_VENDORS = [
    # vendor, website, service, kind, model, provider, (annual spend, currency), use, profile
    (
        "Frontier Lab Inc.",
        "https://lab.example",
        "Frontier API",
        "api",
        "frontier-xl-2026-06",
        "Frontier Lab",
        (2_400_000, "USD"),
        "Customer-facing support assistant",
        "lab-api-leased-capacity",
    ),
    (
        "Hyperscale Cloud",
        "https://cloud.example",
        "Managed model (eu-west, provisioned)",
        "hosted",
        "open-model-70b",
        "Model Co (via Hyperscale Cloud)",
        (350_000, "EUR"),
        "Internal drafting aid",
        "hyperscaler-pinned-region",
    ),
    (
        "ClaimsBot Ltd",
        "https://claimsbot.example",
        "ClaimsBot SaaS",
        "product",
        "",
        "",
        (180_000, "GBP"),
        "Claims triage in the operations workflow",
        "thin-saas-reseller",
    ),
]


def profile_answers(name: str) -> dict[str, AnswerInput]:
    """A profile's answers as the shipped bank types them (the strict loader gives text).

    Kept per file version: seed_demo reads the same profiles a dozen times, and each read
    parses the whole shipped bank (about 0.2 s)."""
    path = FIXTURES / "profiles" / f"{name}.yaml"
    return dict(_profile_answers(name, path.stat().st_mtime_ns, SHIPPED_BANK.stat().st_mtime_ns))


@functools.lru_cache(maxsize=16)
def _profile_answers(name: str, *file_versions: int) -> dict[str, AnswerInput]:
    data = read_yaml((FIXTURES / "profiles" / f"{name}.yaml").read_bytes(), source=name, max_bytes=1024 * 1024)
    doc = bankdoc.parse_document(SHIPPED_BANK.read_bytes(), source=str(SHIPPED_BANK))
    index = {q["code"]: q for s in doc["sections"] for q in s["questions"]}
    answers = {}
    for code, value in data["answers"].items():
        if value == "N/A":
            answers[code] = AnswerInput(na=True, na_reason="Not applicable to this service (demo data).")
        elif is_undisclosed_mark(value):
            answers[code] = AnswerInput(undisclosed=True)
        else:
            typed = typed_value(index[code], value) if code in index else value
            answers[code] = AnswerInput(value=typed.isoformat() if isinstance(typed, dt.date) else typed)
    return answers


@transaction.atomic
def demo_assessments_seed(org: Organisation) -> int:
    """Create the demo vendors and one assessment per state, once. Returns how many were created."""
    bank = QuestionBank.objects.filter(slug="ai-vendor-due-diligence", organisation__isnull=True).first()
    if bank is None:
        bank = bank_load(raw=SHIPPED_BANK.read_bytes(), source=str(SHIPPED_BANK)).bank
    if Assessment.objects.filter(organisation=org).exists():
        return 0
    members = list(Membership.objects.filter(organisation=org).select_related("user").order_by("authority", "pk"))
    people = {m.role: m.user for m in reversed(members)}  # per role, the member with the least authority
    analyst, reviewer = people.get("analyst"), people.get("reviewer")
    # The approver: a reviewer with the most authority (the demo's "approver" persona).
    approver = next((m.user for m in reversed(members) if m.role == Membership.Role.REVIEWER), reviewer)
    created = 0
    svc = {}
    for vendor_name, site, service_name, kind, model, provider, spend, use, profile in DEMO_VENDORS:
        vendor, _ = Vendor.objects.get_or_create(
            organisation=org, name=vendor_name, defaults={"website": site, "owner": analyst}
        )
        domain = site.removeprefix("https://")
        VendorContact.objects.get_or_create(
            vendor=vendor, email=f"trust@{domain}", defaults={"name": f"Trust team, {vendor_name}", "role": "Security"}
        )
        svc[profile], _ = AIService.objects.get_or_create(
            vendor=vendor,
            name=service_name,
            defaults={
                "kind": kind,
                "model_name": model,
                "model_provider": provider,
                "annual_spend": spend[0],
                "currency": spend[1],
                "business_use": use,
            },
        )
    today = timezone.localdate()

    def new(profile: str, *, answered: str = "all", due_days: int = 30) -> Assessment:
        nonlocal created
        a = services.assessment_create(
            service=svc[profile],
            bank=bank,
            by=analyst,
            reviewers=[reviewer] if reviewer else [],
            due_date=today + dt.timedelta(days=due_days),
        )
        answers = profile_answers(profile)
        if answered == "intake":
            answers = {k: v for k, v in answers.items() if k.startswith("INT-")}
        if answered != "none":
            services.answers_save(assessment=a, values=answers, by=analyst, base_revisions=None)
        created += 1
        return a

    new("lab-api-leased-capacity", answered="none", due_days=45)  # draft
    new("thin-saas-reseller", answered="intake", due_days=-3)  # in progress, overdue
    submitted = new("lab-api-leased-capacity")
    services.assessment_submit(assessment=submitted, by=analyst)
    in_review = new("lab-api-leased-capacity")
    services.assessment_submit(assessment=in_review, by=analyst)
    services.assessment_start_review(assessment=in_review, by=reviewer)
    changes = new("hyperscaler-pinned-region")
    services.assessment_submit(assessment=changes, by=analyst)
    services.assessment_start_review(assessment=changes, by=reviewer)
    services.assessment_request_changes(assessment=changes, by=reviewer, comment="Attach the SOC 2 report for SEC-01B.")
    approved = new("hyperscaler-pinned-region")
    services.assessment_submit(assessment=approved, by=analyst)
    services.assessment_start_review(assessment=approved, by=reviewer)
    services.override_set(
        assessment=approved,
        question_code="SUP-03",
        points=2,
        reason="Single hyperscaler, but three regions in the EU.",
        by=reviewer,
    )
    conditions = demo_conditions_add(approved, people=people, today=today)
    now = timezone.now()
    services.assessment_decide(
        assessment=approved, by=reviewer, approve=True, note="Approved for internal drafting.", authenticated_at=now
    )
    demo_conditions_follow_up(conditions, people=people)
    rejected = new("thin-saas-reseller")
    services.assessment_submit(assessment=rejected, by=analyst)
    services.assessment_start_review(assessment=rejected, by=reviewer)
    services.assessment_decide(
        assessment=rejected, by=reviewer, approve=False, note="Four knockouts; see the report.", authenticated_at=now
    )
    _accepted_over_knockout(new, analyst=analyst, reviewer=reviewer, approver=approver, today=today, now=now)
    # Waiting for the approver: the reviewer asked for the executive risk acceptance.
    services.acceptance_request(
        assessment=in_review,
        by=reviewer,
        scope="residual",
        note="Leased capacity on 90 days' notice; the business wants it live before the peak.",
        requested_from=approver if approver != reviewer else None,
    )
    return created


def _accepted_over_knockout(new, *, analyst, reviewer, approver, today, now) -> Assessment:
    """Approved over a knockout: a floating model alias used for decisions about individuals,
    accepted by the approver until a pinned version ships, with the High residual accepted too."""
    a = new("lab-api-leased-capacity")
    services.answers_save(
        assessment=a,
        values={"INT-03": AnswerInput(value="automated_individuals"), "MOD-01": AnswerInput(value="floating")},
        by=analyst,
        base_revisions=None,
    )
    services.assessment_submit(assessment=a, by=analyst)
    services.assessment_start_review(assessment=a, by=reviewer)
    services.acceptance_record(
        assessment=a,
        by=approver,
        scope="knockout",
        rule="floating_model_for_decisions",
        reason="The vendor ships a pinned version in Q1; until then every automated decision is reviewed by a person.",
        compensating_controls="Human review of every automated decision; weekly output sampling.",
        expires_on=today + dt.timedelta(days=120),
        authenticated_at=now,
    )
    services.acceptance_record(
        assessment=a,
        by=approver,
        scope="residual",
        reason="Customer-facing launch accepted with the leased-capacity exposure; exit plan tested.",
        compensating_controls="Second provider contracted as fallback; 180-day exit plan on file.",
        expires_on=today + dt.timedelta(days=180),
        authenticated_at=now,
    )
    return services.assessment_decide(
        assessment=a,
        by=approver,
        approve=True,
        note="Approved over the floating-model knockout with the acceptance recorded.",
        authenticated_at=now,
    )


# --- Conditions followed after the decision ----------------------------------------------

DEMO_CONDITIONS = (
    # key, kind, text, owner role, due in days (negative: overdue)
    ("throughput", "condition", "Re-check provisioned throughput before the Q3 peak.", "analyst", 120),
    ("notice", "condition", "Contract must include 180 days' notice before go-live.", "analyst", -5),
    ("bridge", "condition", "Obtain the SOC 2 Type II bridge letter for the gap period.", "admin", 6),
    ("fallback", "finding", "The fallback region has never been failed over to; run a test.", "analyst", -2),
    ("exit", "condition", "Agree an exit plan with the vendor's account team.", "reviewer", 10),
)


def demo_conditions_add(assessment: Assessment, *, people: dict, today: dt.date) -> dict:
    """The approved assessment's conditions, owned by demo users, some already overdue."""
    reviewer = people.get("reviewer")
    return {
        key: services.finding_add(
            assessment=assessment,
            kind=kind,
            text=text,
            owner_user=people.get(role),
            due_date=today + dt.timedelta(days=days),
            by=reviewer,
        )
        for key, kind, text, role, days in DEMO_CONDITIONS
    }


def demo_conditions_follow_up(conditions: dict, *, people: dict) -> None:
    """After the decision: one condition in progress, one finding done and waiting for the
    reviewer's verification, the rest still open."""
    admin, analyst = people.get("admin"), people.get("analyst")
    if admin is not None:
        services.finding_update(
            finding=conditions["bridge"], to="in_progress", by=admin, note="Requested from the vendor's auditor."
        )
    if analyst is not None:
        services.finding_update(
            finding=conditions["fallback"],
            to="done",
            by=analyst,
            note="Failover to eu-central ran on the staging tenant; 4 minutes of errors, then normal.",
        )
