from django import template

from procurement.core.access import EDITORS, has_role
from procurement.portal import services
from procurement.portal.forms import InviteForm, NoteForm
from procurement.portal.staff_views import fresh_links_take

register = template.Library()


@register.inclusion_tag("portal/includes/staff_card.html", takes_context=True)
def vendor_links(context, assessment):
    """The assessment page's card: invitations and their states, and (for editors) the invite form.

    A copyable link appears only on the page right after this browser sent it (``fresh_links_take``).
    """
    request = context["request"]
    can_manage = has_role(request.user, *EDITORS)
    invitations = list(assessment.invitations.select_related("contact", "created_by"))
    base_url = request.build_absolute_uri("/")
    mail = services.invitation_mail_status(invitations)
    fresh = fresh_links_take(request, assessment) if can_manage else set()
    rows = [
        {
            "invitation": i,
            "link": services.invitation_link(i, base_url=base_url) if i.pk in fresh and i.is_usable else "",
            "mail": mail.get(i.pk),
        }
        for i in invitations
    ]
    contacts = assessment.service.vendor.contacts.all()
    latest: dict[str, bool] = {}
    for code, from_vendor in assessment.clarifications.values_list("question_code", "from_vendor"):
        latest[code] = from_vendor  # ordered oldest first, so the last one wins
    awaiting = sorted(code for code, from_vendor in latest.items() if from_vendor)
    return {
        "assessment": assessment,
        "rows": rows,
        "awaiting": awaiting,
        "can_manage": can_manage,
        "can_invite": can_manage and assessment.is_editable,
        "has_contacts": contacts.exists(),
        "invite_form": InviteForm(contacts=contacts, assessment=assessment),
        "reopen_form": NoteForm(),
        "submitted": any(i.submitted_at and not i.revoked_at for i in invitations),
        "csrf_token": context.get("csrf_token"),
    }
