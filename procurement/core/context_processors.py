from procurement.core.access import is_site_staff, membership_for


def membership(request):
    user = getattr(request, "user", None)
    return {
        "membership": membership_for(user) if user is not None else None,
        "is_site_staff": is_site_staff(user) if user is not None else False,
    }
