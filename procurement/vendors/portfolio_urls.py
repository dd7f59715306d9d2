from django.urls import path

from procurement.vendors import portfolio_views

app_name = "portfolio"
urlpatterns = [
    path("", portfolio_views.index, name="index"),
    path("scenario.<str:fmt>", portfolio_views.scenario_export, name="scenario_export"),
    path("compare/", portfolio_views.compare, name="compare"),
    path("reviews/", portfolio_views.reviews, name="reviews"),
]
