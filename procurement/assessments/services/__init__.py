"""Writes for assessments. Views and commands call these; nothing else writes.

Split by responsibility; every name is importable from here as before:

* ``status``: the status machine, the timeline and the score summary on the row;
* ``answers``: saving answers, what is missing, a provider table as the supply chain;
* ``review``: creating, submitting, reviewing, comments and clarifications,
  marking for reassessment;
* ``findings``: conditions and findings followed to closure (owner, status, verification);
* ``decide``: deciding (who may, under which authority; freezing the record, built by
  ``procurement.assessments.records``) and the risk acceptances a decision rests on;
* ``upgrade``: moving to a newer bank version;
* ``carry``: a reassessment's answers carried from the previous decision, and confirmed;
* ``attestation``: the vendor respondent's attestation on submitting.
"""

from procurement.assessments.services.answers import (
    MISSING_ANSWERS,
    NOT_EDITABLE,
    AnswerInput,
    MissingAnswers,
    StaleSection,
    answers_basis_lift,
    answers_save,
    chain_record_from_answer,
    required_missing,
    section_revisions,
)
from procurement.assessments.services.attestation import (
    ATTESTATION_CONFIRM_REQUIRED,
    ATTESTATION_NAME_REQUIRED,
    ATTESTATION_TITLE_REQUIRED,
    attestation_add,
)
from procurement.assessments.services.carry import CarryResult, answers_carry_forward, answers_confirm
from procurement.assessments.services.decide import (
    DecisionReview,
    acceptance_candidates,
    acceptance_decline,
    acceptance_record,
    acceptance_request,
    assessment_decide,
    decision_review,
    decision_state,
    recently_authenticated,
)
from procurement.assessments.services.findings import (
    OWNER_MOVES,
    finding_accept_risk,
    finding_add,
    finding_done_by,
    finding_may_update,
    finding_may_verify,
    finding_update,
    finding_verify,
)
from procurement.assessments.services.review import (
    MESSAGE_MAX,
    NO_PUBLISHED_VERSION,
    OVERRIDE_REASON_REQUIRED,
    answers_basis_confirm,
    assessment_create,
    assessment_request_changes,
    assessment_reviewers_set,
    assessment_start_review,
    assessment_submit,
    assessments_newest_refresh,
    clarification_add,
    comment_add,
    latest_published,
    override_set,
    reassessment_mark,
)
from procurement.assessments.services.status import (
    ILLEGAL_MOVE,
    TRANSITIONS,
    assessment_rescore,
    open_assessments_rescore,
    timeline_add,
)
from procurement.assessments.services.upgrade import (
    NO_WORDING_TO_CONFIRM,
    VersionDiff,
    answers_confirm_wording,
    answers_outside_new_limits,
    assessment_upgrade,
    assessments_upgrade,
    version_diff,
)

__all__ = [
    "ATTESTATION_CONFIRM_REQUIRED",
    "ATTESTATION_NAME_REQUIRED",
    "ATTESTATION_TITLE_REQUIRED",
    "ILLEGAL_MOVE",
    "MESSAGE_MAX",
    "MISSING_ANSWERS",
    "NOT_EDITABLE",
    "NO_PUBLISHED_VERSION",
    "NO_WORDING_TO_CONFIRM",
    "OVERRIDE_REASON_REQUIRED",
    "OWNER_MOVES",
    "TRANSITIONS",
    "AnswerInput",
    "CarryResult",
    "DecisionReview",
    "MissingAnswers",
    "StaleSection",
    "VersionDiff",
    "acceptance_candidates",
    "acceptance_decline",
    "acceptance_record",
    "acceptance_request",
    "answers_basis_confirm",
    "answers_basis_lift",
    "answers_carry_forward",
    "answers_confirm",
    "answers_confirm_wording",
    "answers_outside_new_limits",
    "answers_save",
    "assessment_create",
    "assessment_decide",
    "assessment_request_changes",
    "assessment_rescore",
    "assessment_reviewers_set",
    "assessment_start_review",
    "assessment_submit",
    "assessment_upgrade",
    "assessments_newest_refresh",
    "assessments_upgrade",
    "attestation_add",
    "chain_record_from_answer",
    "clarification_add",
    "comment_add",
    "decision_review",
    "decision_state",
    "finding_accept_risk",
    "finding_add",
    "finding_done_by",
    "finding_may_update",
    "finding_may_verify",
    "finding_update",
    "finding_verify",
    "latest_published",
    "open_assessments_rescore",
    "override_set",
    "reassessment_mark",
    "recently_authenticated",
    "required_missing",
    "section_revisions",
    "timeline_add",
    "version_diff",
]
