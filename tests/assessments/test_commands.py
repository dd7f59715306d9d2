import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from procurement.assessments.models import Assessment

pytestmark = pytest.mark.django_db


def test_create_assessment_with_intake_prints_the_id(tmp_path, capsys, service, shipped_version, personas):
    intake = tmp_path / "intake.yaml"
    intake.write_text("INT-01: customer_or_regulated\nINT-06: 180\n")
    args = ["--vendor", "Frontier Lab", "--service", "Frontier API", "--bank", "ai-vendor-due-diligence"]
    call_command("create_assessment", *args, "--intake", str(intake), "--owner", "analyst")
    pk = int(capsys.readouterr().out.strip())
    assessment = Assessment.objects.get(pk=pk)
    assert assessment.owner == personas["analyst"] and assessment.bank_version == shipped_version
    assert assessment.answers.get(question_code="INT-06").value == 180


def test_create_assessment_explains_bad_arguments(service, shipped_version):
    with pytest.raises(CommandError, match="Expected one service"):
        call_command("create_assessment", "--vendor", "Nope", "--service", "x", "--bank", "ai-vendor-due-diligence")
    with pytest.raises(CommandError, match="No bank"):
        call_command("create_assessment", "--vendor", "Frontier Lab", "--service", "Frontier API", "--bank", "nope")


def test_score_assessment_prints_the_result_and_json(capsys, complete_assessment):
    call_command("score_assessment", str(complete_assessment.pk))
    out = capsys.readouterr().out
    assert "Executive risk acceptance required" in out and "notice_gap: Notice gap (mitigated)" in out
    call_command("score_assessment", str(complete_assessment.pk), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["tier"] == 1 and data["decision"] == "executive_acceptance" and not data["incomplete"]


def test_score_assessment_of_a_frozen_record_reads_the_record(capsys, in_review, personas):
    from procurement.assessments.services import assessment_decide

    assessment_decide(assessment=in_review, by=personas["reviewer"], approve=False, authenticated_at=timezone.now())
    call_command("score_assessment", str(in_review.pk), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data == Assessment.objects.get(pk=in_review.pk).frozen_record["score"]
