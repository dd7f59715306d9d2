"""Free-text locations become canonical taxonomy codes where recognised (procurement/scoring/geo.py):
"Germany" -> "de", "eu-west-1" -> "aws:eu-west-1", "US" -> "us". Text that is not recognised is kept
as typed, after the codes, and listed by ``manage.py review_locations`` for someone to fix."""

from django.db import migrations


def convert(apps, schema_editor):
    from procurement.scoring import geo

    AIService = apps.get_model("vendors", "AIService")
    Provider = apps.get_model("vendors", "Provider")
    SupplyLink = apps.get_model("vendors", "SupplyLink")
    for model, field in ((AIService, "required_regions"), (SupplyLink, "regions")):
        for pk, value in model.objects.exclude(**{field: ""}).values_list("pk", field):
            new, _ = geo.normalise_list(value)
            if new != value:
                model.objects.filter(pk=pk).update(**{field: new})
    for pk, value in Provider.objects.exclude(country="").values_list("pk", "country"):
        new, _ = geo.normalise_country(value)
        if new != value:
            Provider.objects.filter(pk=pk).update(country=new)


class Migration(migrations.Migration):
    dependencies = [("vendors", "0003_location_codes")]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
