"""Evidence files become vendor documents (procurement.vendors.models.Document), and an Evidence
row becomes the link from a document to the answer (or finding) it supports.

Each existing file becomes one document of the assessment's vendor (the same bytes twice, by
sha256, become one document); the file stays where it is on disk. Frozen records are not
touched: they keep the name, size and hash they were frozen with.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def evidence_to_documents(apps, schema_editor):
    Evidence = apps.get_model("assessments", "Evidence")
    Document = apps.get_model("vendors", "Document")
    rows = Evidence.objects.select_related("assessment__service").order_by("uploaded_at", "pk")
    for e in rows.iterator():
        vendor_id = e.assessment.service.vendor_id
        document = Document.objects.filter(vendor_id=vendor_id, sha256=e.sha256).first()
        if document is None:
            document = Document.objects.create(
                vendor_id=vendor_id,
                file=e.file.name,
                original_name=e.original_name,
                content_type=e.content_type,
                size=e.size,
                sha256=e.sha256,
                uploaded_by_id=e.uploaded_by_id,
                uploaded_by_label=e.uploaded_by_label,
            )
            Document.objects.filter(pk=document.pk).update(uploaded_at=e.uploaded_at)
        Evidence.objects.filter(pk=e.pk).update(document=document)


def documents_to_evidence(apps, schema_editor):
    Evidence = apps.get_model("assessments", "Evidence")
    for e in Evidence.objects.select_related("document").iterator():
        d = e.document
        Evidence.objects.filter(pk=e.pk).update(
            file=d.file.name, original_name=d.original_name, content_type=d.content_type, size=d.size, sha256=d.sha256
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0013_answer_undisclosed"),
        ("vendors", "0005_chainchange_document"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="document",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="attachments",
                to="vendors.document",
            ),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="file",
            field=models.FileField(blank=True, upload_to="evidence/"),
        ),
        migrations.AlterField(model_name="evidence", name="original_name", field=models.CharField(blank=True, max_length=200)),
        migrations.AlterField(model_name="evidence", name="content_type", field=models.CharField(blank=True, max_length=100)),
        migrations.AlterField(model_name="evidence", name="size", field=models.PositiveIntegerField(default=0)),
        migrations.AlterField(model_name="evidence", name="sha256", field=models.CharField(blank=True, max_length=64)),
        migrations.RunPython(evidence_to_documents, documents_to_evidence),
        migrations.RemoveField(model_name="evidence", name="content_type"),
        migrations.RemoveField(model_name="evidence", name="file"),
        migrations.RemoveField(model_name="evidence", name="original_name"),
        migrations.RemoveField(model_name="evidence", name="sha256"),
        migrations.RemoveField(model_name="evidence", name="size"),
        migrations.AlterField(
            model_name="evidence",
            name="document",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="attachments", to="vendors.document"
            ),
        ),
        migrations.AlterModelOptions(name="evidence", options={"ordering": ["question_code", "uploaded_at", "pk"]}),
        migrations.AlterField(
            model_name="evidence",
            name="uploaded_by_label",
            field=models.CharField(blank=True, help_text="Who attached it, e.g. a vendor contact.", max_length=200),
        ),
        migrations.AddIndex(
            model_name="evidence",
            index=models.Index(fields=["assessment", "question_code"], name="assess_evidence_question"),
        ),
    ]
