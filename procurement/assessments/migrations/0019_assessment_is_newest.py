"""Each service's newest assessment marked on the row (``Assessment.is_newest``), filled here
for the assessments that exist: the one created last (then the highest id) of each service.
From now on the services that create assessments keep it (``assessments_newest_refresh``)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_is_newest(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    AIService = apps.get_model("vendors", "AIService")
    newest = Assessment.objects.filter(service=OuterRef("pk")).order_by("-created_at", "-pk").values("pk")[:1]
    ids = AIService.objects.annotate(newest=Subquery(newest)).filter(newest__isnull=False).values("newest")
    Assessment.objects.filter(pk__in=ids).update(is_newest=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0018_answer_ordering_by_column"),
        ("vendors", "0011_contract_lifecycle_organisation"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="is_newest",
            field=models.BooleanField(default=False, editable=False, verbose_name="newest of its service"),
        ),
        migrations.RunPython(fill_is_newest, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                condition=models.Q(("is_newest", True)),
                fields=["organisation", "review_due"],
                name="assess_org_newest_review",
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                condition=models.Q(("is_newest", True), models.Q(("reassess_reason", ""), _negated=True)),
                fields=["organisation", "review_due"],
                name="assess_org_newest_flagged",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_newest", True)), fields=("service",), name="assessments_one_newest_per_service"
            ),
        ),
    ]
