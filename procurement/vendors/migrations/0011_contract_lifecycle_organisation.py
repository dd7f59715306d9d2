"""Each contract and model lifecycle record carries its organisation (its service's vendor's),
indexed with its end or retirement date, so the calendar reads an organisation's contract dates
and model retirements without walking all its services."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_organisation(apps, schema_editor):
    AIService = apps.get_model("vendors", "AIService")
    owner = AIService.objects.filter(pk=OuterRef("service_id")).values("vendor__organisation_id")[:1]
    for name in ("Contract", "ModelLifecycle"):
        apps.get_model("vendors", name).objects.update(organisation_id=Subquery(owner))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("vendors", "0010_contract_renewal_flag_document_expiry"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.organisation",
            ),
        ),
        migrations.AddField(
            model_name="modellifecycle",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.organisation",
            ),
        ),
        migrations.RunPython(fill_organisation, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contract",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="modellifecycle",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(fields=["organisation", "auto_renews", "end_date"], name="vendors_contract_org_end"),
        ),
        migrations.AddIndex(
            model_name="modellifecycle",
            index=models.Index(fields=["organisation", "retires_on"], name="vendors_modellife_org_retires"),
        ),
    ]
