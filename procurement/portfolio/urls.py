from django.urls import path

from procurement.portfolio import calendar_views, reassessment_views, views

# /  The home page keeps the ``core:`` namespace that LOGIN_REDIRECT_URL and base.html name.
home_patterns = ([path("", views.home, name="home")], "core")

# /portfolio/
app_name = "portfolio"
urlpatterns = [
    path("", views.index, name="index"),
    path("scenario.<str:fmt>", views.scenario_export, name="scenario_export"),
    path("compare/", views.compare, name="compare"),
    path("currency-rates/", views.currency_rates_page, name="currency_rates"),
    path("reviews/", views.reviews, name="reviews"),
    path("reassess/<int:pk>/", reassessment_views.reassess, name="reassess"),
    path("reassessment-settings/", reassessment_views.reassessment_settings, name="reassessment_settings"),
    path("conditions/", views.conditions, name="conditions"),
    path("conditions.<str:fmt>", views.conditions_export, name="conditions_export"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    # The secret is the key: the path is blanked in logs (procurement/core/redaction.py).
    path("calendar/feed/<str:secret>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path("board-pack/generate/", views.board_pack_generate, name="board_pack_generate"),
    path("board-pack/<str:digest>/status/", views.board_pack_status, name="board_pack_status"),
    path("board-pack/<str:digest>.pdf", views.board_pack_download, name="board_pack_download"),
]
