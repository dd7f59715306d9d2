"""The engine's reasons as running text (``{{ reasons|sentences }}``).

New records hold full sentences; records frozen before hold fragments such as
``residual high -> executive_acceptance``, which are shown as they are, each
closed with a full stop.
"""

from django import template

from procurement.scoring.wording import sentences as join_sentences

register = template.Library()


@register.filter
def sentences(reasons) -> str:
    if isinstance(reasons, str):
        reasons = [reasons]
    return join_sentences(reasons or ())
