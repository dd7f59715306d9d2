from django.urls import clear_script_prefix, reverse, set_script_prefix

from procurement.core.templatetags.nav import nav_url


def test_nav_url_gives_what_reverse_gives_under_each_script_prefix():
    try:
        for prefix in ("/", "/procurement/"):
            set_script_prefix(prefix)
            for name in ("core:home", "assessments:list", "portfolio:calendar", "logout"):
                assert nav_url(name) == reverse(name)
        assert nav_url("core:home") == "/procurement/"
    finally:
        clear_script_prefix()
