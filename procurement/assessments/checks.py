"""``manage.py check --database default``: finds answers stored before text was checked at
input that hold text no page can show (a lone surrogate) or no spreadsheet accepts (control
characters). Refused at input since; this lists what is already there, to be re-entered."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register

from procurement.core.text import text_problem

SHOWN = 20


def _strings(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@register(Tags.database)
def stored_text_check(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from procurement.assessments.models import Answer

    found = []
    for pk, code, value, reason in Answer.objects.values_list("assessment_id", "question_code", "value", "na_reason"):
        problem = next((p for s in [reason, *_strings(value)] if (p := text_problem(s))), None)
        if problem:
            found.append((pk, code, problem))
    warnings = [
        Warning(
            f"A-{pk} {code}: the stored answer {problem}.",
            hint="Open the question and enter the answer again; until then its pages and exports may fail.",
            id="assessments.W001",
        )
        for pk, code, problem in found[:SHOWN]
    ]
    if len(found) > SHOWN:
        warnings.append(Warning(f"{len(found) - SHOWN} more answers like these.", id="assessments.W001"))
    return warnings
