from procurement.assessments.models import Assessment


def test_every_status_is_either_open_or_final():
    assert set(Assessment.OPEN) | set(Assessment.FINAL) == set(Assessment.Status)
    assert not set(Assessment.OPEN) & set(Assessment.FINAL)
    assert set(Assessment.EDITABLE) <= set(Assessment.OPEN)
