"""The session's user is read with their membership in one query (``access.user_with_membership``,
the sign-in backends' ``get_user``): the same people are signed in, with the same organisation."""

import pytest
from django.urls import reverse

from procurement.core.access import membership_for, user_with_membership
from procurement.core.sso import PasswordBackend

pytestmark = pytest.mark.django_db


def test_a_members_user_comes_with_their_membership_and_needs_no_second_read(personas, org, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = user_with_membership(personas["analyst"].pk)
        assert membership_for(user).organisation == org
        assert membership_for(user).role == "analyst"
    assert user == personas["analyst"]


def test_a_user_without_a_membership_is_read_alone_and_has_none(personas):
    staff = user_with_membership(personas["staff"].pk)
    assert staff == personas["staff"] and membership_for(staff) is None
    assert user_with_membership(10**9) is None


def test_a_deactivated_members_session_ends_on_the_next_request(login, personas):
    client = login(personas["analyst"])
    assert client.get(reverse("assessments:list")).status_code == 200
    personas["analyst"].is_active = False
    personas["analyst"].save(update_fields=["is_active"])
    assert PasswordBackend().get_user(personas["analyst"].pk) is None
    assert client.get(reverse("assessments:list")).status_code == 302
