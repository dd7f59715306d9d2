import pytest
from django.core.management import CommandError, call_command

from procurement.questionbank.document import parse_document
from procurement.questionbank.models import BankVersion
from tests.conftest import SHIPPED_BANK, SMALL_BANK

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("no_banks")
def test_load_bank_then_export_bank_round_trips_the_shipped_bank(tmp_path, capsys):
    call_command("load_bank", str(SHIPPED_BANK))
    assert "loaded as v1" in capsys.readouterr().out
    call_command("load_bank", str(SHIPPED_BANK))
    assert "unchanged, v1" in capsys.readouterr().out
    out = tmp_path / "export.yaml"
    call_command("export_bank", "ai-vendor-due-diligence", "--version", "1", "-o", str(out))
    assert parse_document(out.read_bytes()) == parse_document(SHIPPED_BANK.read_bytes())


@pytest.mark.usefixtures("no_banks")
def test_load_bank_lists_every_problem_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL_BANK.replace("type: yes_no", "type: slider").replace("code: OPS-02", "code: OPS-01"))
    with pytest.raises(CommandError) as exc:
        call_command("load_bank", str(bad))
    message = str(exc.value)
    assert "nothing was written" in message
    assert "(OPS-01)" in message and "slider" in message and "used twice" in message
    assert not BankVersion.objects.exists()


def test_load_bank_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_bank", str(tmp_path / "nope.yaml"))


@pytest.mark.usefixtures("no_banks")
def test_load_bank_draft_flag_and_org_option(tmp_path, org):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_BANK)
    call_command("load_bank", str(path), "--org", "acme", "--draft")
    version = BankVersion.objects.get()
    assert version.status == "draft" and version.bank.organisation == org
    with pytest.raises(CommandError, match="No organisation"):
        call_command("load_bank", str(path), "--org", "missing")


def test_export_bank_explains_unknown_bank_and_version(capsys):
    call_command("load_bank", str(SHIPPED_BANK))
    with pytest.raises(CommandError, match="No bank 'nope'"):
        call_command("export_bank", "nope")
    with pytest.raises(CommandError, match="has no version 9"):
        call_command("export_bank", "ai-vendor-due-diligence", "--version", "9")


def test_score_answers_json_reports_each_rules_status_with_its_inputs(capsys):
    """A reviewer sees why a rule stayed quiet: every rule has a status and the inputs it read."""
    import json

    from tests.conftest import ROOT

    call_command("load_bank", str(SHIPPED_BANK))
    capsys.readouterr()
    call_command("score_answers", str(ROOT / "fixtures/profiles/thin-saas-reseller.yaml"), "--json")
    rules = {row["rule"]: row for row in json.loads(capsys.readouterr().out)["rules"]}
    assert rules["capacity_headroom"]["status"] == "flag"
    assert rules["capacity_headroom"]["inputs"]["CAP-02"] == 0.8
    assert rules["model_retirement_notice"]["status"] == "fired"
    assert rules["upstream_notice"]["status"] == "clear"
    assert rules["upstream_notice"]["inputs"]["SUP-05"] == "not applicable"
    assert rules["residency"]["status"] == "clear" and "INT-09" in rules["residency"]["inputs"]
