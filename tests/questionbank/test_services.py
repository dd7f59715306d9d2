import pytest
from django.core.exceptions import ValidationError

from procurement.questionbank.document import BankFileError, content_hash, parse_document
from procurement.questionbank.models import BankVersion, Choice, Question, QuestionBank, Section, VersionLocked
from procurement.questionbank.services import (
    bank_export,
    bank_load,
    version_new_draft,
    version_publish,
    version_retire,
    version_to_document,
)
from tests.conftest import ROOT, SMALL_BANK

pytestmark = pytest.mark.django_db


def load_small(**kw):
    return bank_load(raw=SMALL_BANK, source="small.yaml", **kw)


def test_loading_the_shipped_bank_publishes_version_one(shipped_version):
    assert shipped_version.status == BankVersion.Status.PUBLISHED
    assert shipped_version.number == 1
    assert shipped_version.bank.is_shipped
    assert shipped_version.questions.count() >= 100
    assert len(shipped_version.content_hash) == 64


def test_loading_the_same_file_twice_changes_nothing(shipped_version, shipped_bank_bytes):
    counts = (BankVersion.objects.count(), Question.objects.count(), Choice.objects.count())
    result = bank_load(raw=shipped_bank_bytes, source="again.yaml")
    assert result.created is False
    assert result.version == shipped_version
    assert (BankVersion.objects.count(), Question.objects.count(), Choice.objects.count()) == counts


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "fixtures" / "banks").rglob("*.yaml")),
    ids=lambda p: p.name,
)
def test_a_loaded_file_is_published_with_the_hash_of_what_was_stored(path):
    # bank_load publishes with the hash of the file's document instead of reading the rows back:
    # the rows must hold exactly that document.
    version = bank_load(raw=path.read_bytes(), source=path.name).version
    assert content_hash(version_to_document(version)) == version.content_hash


def test_a_changed_file_becomes_the_next_published_version():
    first = load_small().version
    second = bank_load(raw=SMALL_BANK.replace("Describe the runbook", "Describe your runbook"), source="s.yaml")
    assert second.created is True
    assert second.version.number == 2 and second.version.based_on == first
    first.refresh_from_db()
    assert first.status == BankVersion.Status.PUBLISHED  # pinned assessments keep it


def test_a_changed_file_can_be_loaded_as_a_draft():
    load_small()
    result = bank_load(raw=SMALL_BANK.replace("Describe the runbook", "Runbook?"), source="s.yaml", publish=False)
    assert result.version.status == BankVersion.Status.DRAFT and result.version.number is None


def test_a_bad_file_writes_nothing():
    with pytest.raises(BankFileError):
        bank_load(raw=SMALL_BANK.replace("type: yes_no", "type: slider"), source="bad.yaml")
    assert not QuestionBank.objects.exists() and not Question.objects.exists()


def test_export_gives_back_what_was_loaded(shipped_version, shipped_bank_bytes):
    exported = bank_export(bank=shipped_version.bank)
    assert parse_document(exported) == parse_document(shipped_bank_bytes)


def test_export_of_a_specific_version_number():
    load_small()
    bank_load(raw=SMALL_BANK.replace("Describe the runbook", "Runbook?"), source="s.yaml")
    bank = QuestionBank.objects.get(slug="small")
    assert "Describe the runbook" in bank_export(bank=bank, number=1)
    assert "Runbook?" in bank_export(bank=bank, number=2)


# --- Immutability: every path is refused -----------------------------------------


def test_model_save_of_a_published_question_is_refused():
    version = load_small().version
    question = version.questions.get(code="OPS-01")
    question.text = "Changed"
    with pytest.raises(VersionLocked):
        question.save()
    assert version.questions.get(code="OPS-01").text == "Is there a fallback?"


def test_model_save_of_published_choices_sections_and_version_is_refused():
    version = load_small().version
    choice = Choice.objects.filter(question__version=version).first()
    choice.points = 1
    with pytest.raises(VersionLocked):
        choice.save()
    section = version.sections.first()
    section.title = "New"
    with pytest.raises(VersionLocked):
        section.save()
    version.rule_params = {}
    with pytest.raises(VersionLocked):
        version.save()


def test_adding_or_deleting_rows_in_a_published_version_is_refused():
    version = load_small().version
    section = version.sections.get(code="OPS")
    with pytest.raises(VersionLocked):
        Question.objects.create(version=version, section=section, code="OPS-99", text="New", answer_type="text")
    with pytest.raises(VersionLocked):
        version.questions.get(code="OPS-05").delete()
    with pytest.raises(VersionLocked):
        version.delete()
    assert version.questions.count() == 6


def test_publishing_a_published_version_again_is_refused():
    version = load_small().version
    with pytest.raises(ValidationError, match="Only a draft can be published"):
        version_publish(version=version)


def test_retiring_keeps_content_and_only_moves_forward():
    version = load_small().version
    version_retire(version=version)
    version.refresh_from_db()
    assert version.status == BankVersion.Status.RETIRED
    version.status = BankVersion.Status.PUBLISHED
    with pytest.raises(VersionLocked):
        version.save()


# --- Drafts ------------------------------------------------------------------


def test_new_draft_is_a_full_editable_copy():
    published = load_small().version
    draft = version_new_draft(version=published)
    assert draft.status == BankVersion.Status.DRAFT and draft.based_on == published
    assert version_to_document(draft)["sections"] == version_to_document(published)["sections"]
    question = draft.questions.get(code="OPS-01")
    question.text = "Is there a tested fallback?"
    question.save()
    published_again = version_publish(version=draft, changelog="Test change.")
    assert published_again.number == 2
    assert published.questions.get(code="OPS-01").text == "Is there a fallback?"


def test_publishing_a_draft_runs_the_same_rules_as_a_file():
    draft = version_new_draft(version=load_small().version)
    Choice.objects.filter(question__version=draft, question__code="OPS-03", value="manual").update(points=None)
    with pytest.raises(BankFileError, match="no risk points: manual"):
        version_publish(version=draft, changelog="Test change.")
    draft.refresh_from_db()
    assert draft.status == BankVersion.Status.DRAFT and draft.number is None


def test_draft_numbers_follow_the_highest_published_number():
    v1 = load_small().version
    draft_a = version_new_draft(version=v1)
    draft_b = version_new_draft(version=v1)
    assert version_publish(version=draft_b, changelog="B").number == 2
    assert version_publish(version=draft_a, changelog="A").number == 3


def test_organisation_banks_are_separate_from_shipped_ones(org):
    shipped = load_small().bank
    own = load_small(organisation=org).bank
    assert shipped != own and own.organisation == org and shipped.slug == own.slug
    assert Section.objects.filter(version__bank=own).count() == 2
