"""Bulk import of vendors, their AI services and contacts from a CSV or XLSX table.

One row names a vendor and, optionally, one of its services and one contact. A vendor is
matched by name, a service by vendor and name, a contact by vendor and email (ignoring case):
a match is updated with the columns the row fills in, anything else is created. Every value
goes through the same forms as the pages, so the import accepts exactly what a person could
type, and refuses it with the same message, named by row and column.

All or nothing: the import runs in one transaction; any problem rolls everything back. A
preview is the same run, rolled back, so what it shows is what the import does.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.db import transaction

from procurement.core.tables import Row
from procurement.vendors.forms import AIServiceForm, VendorContactForm, VendorForm
from procurement.vendors.models import AIService, Vendor, VendorContact

VENDOR_COLUMNS = {"vendor": "name", "vendor_website": "website", "vendor_description": "description"}
CONTACT_COLUMNS = {"contact_name": "name", "contact_email": "email", "contact_role": "role"}
EXAMPLE = {
    "vendor": "Frontier Lab",
    "vendor_website": "https://frontier.example",
    "service": "Frontier API",
    "service_kind": "api",
    "service_model_name": "frontier-2",
    "contact_name": "Vera Vendor",
    "contact_email": "vera@frontier.example",
    "contact_role": "Account manager",
}


def service_columns() -> dict[str, str]:
    """``service`` plus one column per other field of the service form, so a field the form
    gains is importable without a change here."""
    return {"service": "name", **{f"service_{f}": f for f in AIServiceForm.Meta.fields if f != "name"}}


def columns() -> list[str]:
    return [*VENDOR_COLUMNS, *service_columns(), *CONTACT_COLUMNS]


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns())
    writer.writerow([EXAMPLE.get(c, "") for c in columns()])
    return out.getvalue()


@dataclass
class Plan:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


class _Rollback(Exception):
    pass


def _choice_values(form: forms.BaseForm, data: dict) -> dict:
    """Let a choice be given by its label as well as its stored value ("API" or "api")."""
    for name, value in list(data.items()):
        f = form.base_fields.get(name)
        if isinstance(f, forms.ChoiceField) and not isinstance(f, forms.ModelChoiceField) and value:
            by_label = {str(label).lower(): key for key, label in f.choices}
            data[name] = by_label.get(str(value).lower(), value)
    return data


def _current(form_class, instance, **kwargs) -> dict:
    """The instance's values in the shape a form posts them."""
    bound = form_class(instance=instance, **kwargs)
    return {name: ("" if bound[name].value() is None else bound[name].value()) for name in bound.fields}


def _apply(form_class, instance, given: dict, kwargs: dict, row: Row, prefix: dict, plan: Plan):
    """Validate and save one object; None when the row's values are refused (problems noted)."""
    data = _current(form_class, instance, **kwargs)
    # A matched object keeps the key it was matched by as stored ("frontier lab" finds
    # "Frontier Lab" and does not rename it).
    keys = (
        {"name", "email"}
        if instance.pk and form_class is not VendorContactForm
        else {"email"}
        if instance.pk
        else set()
    )
    data.update({k: v for k, v in given.items() if v != "" and k not in keys})
    data = _choice_values(form_class(**kwargs), data)
    form = form_class(data=data, instance=instance, **kwargs)
    if not form.is_valid():
        back = {v: k for k, v in prefix.items()}
        for name, errors in form.errors.items():
            column = back.get(name, name)
            for error in errors:
                plan.problems.append(f"Row {row.number}, column {column}: {error}")
        return None, False
    changed = instance.pk is None or form.has_changed()
    return (form.save() if changed else instance), changed


def _note(plan: Plan, created: bool, changed: bool, label: str) -> None:
    if created:
        plan.created.append(label)
    elif changed:
        plan.updated.append(label)
    else:
        plan.unchanged += 1


def _row(row: Row, *, organisation, members, plan: Plan) -> None:
    cells = row.cells
    name = cells.get("vendor", "").strip()
    if not name:
        plan.problems.append(f"Row {row.number}, column vendor: every row names its vendor.")
        return
    vendor = Vendor.objects.filter(organisation=organisation, name__iexact=name).first()
    given = {field: cells.get(col, "") for col, field in VENDOR_COLUMNS.items()}
    kwargs = {"members": members, "organisation": organisation}
    created = vendor is None
    vendor, changed = _apply(
        VendorForm, vendor or Vendor(organisation=organisation), given, kwargs, row, VENDOR_COLUMNS, plan
    )
    if vendor is None:
        return
    _note(plan, created, changed, f"vendor {vendor.name}")

    service_name = cells.get("service", "").strip()
    if service_name:
        cols = service_columns()
        service = AIService.objects.filter(vendor=vendor, name__iexact=service_name).first()
        given = {field: cells.get(col, "") for col, field in cols.items()}
        created = service is None
        instance = service or AIService(vendor=vendor)
        saved, changed = _apply(AIServiceForm, instance, given, {"vendor": vendor}, row, cols, plan)
        if saved is not None:
            _note(plan, created, changed, f"service {vendor.name} — {saved.name}")

    email = cells.get("contact_email", "").strip()
    if email or cells.get("contact_name", "").strip():
        contact = VendorContact.objects.filter(vendor=vendor, email__iexact=email).first() if email else None
        given = {field: cells.get(col, "") for col, field in CONTACT_COLUMNS.items()}
        created = contact is None
        instance = contact or VendorContact(vendor=vendor)
        saved, changed = _apply(VendorContactForm, instance, given, {}, row, CONTACT_COLUMNS, plan)
        if saved is not None:
            _note(plan, created, changed, f"contact {saved.name} <{saved.email}> at {vendor.name}")


def vendors_import(*, organisation, rows: list[Row], members, commit: bool) -> Plan:
    """Import ``rows``; with ``commit=False`` (or any problem) nothing is kept."""
    plan = Plan()
    known = set(columns())
    plan.unknown_columns = sorted({c for r in rows for c in r.cells} - known)
    if not rows:
        plan.problems.append("The file has a header but no rows.")
        return plan
    try:
        with transaction.atomic():
            for row in rows:
                _row(row, organisation=organisation, members=members, plan=plan)
            if plan.problems or not commit:
                raise _Rollback
    except _Rollback:
        pass
    return plan
