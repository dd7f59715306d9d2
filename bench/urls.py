"""The project's URLs plus the stock baseline page the section page is compared with."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

STOCK_PAGE = engines["django"].from_string(
    "<!doctype html><html><head><title>Stock</title></head><body>"
    "<form method='post'>{% csrf_token %}{{ form }}<button>Save</button></form></body></html>"
)


def _stock_form_class(n: int) -> type[forms.Form]:
    choices = [("a", "Option A"), ("b", "Option B"), ("c", "Option C"), ("d", "Option D")]
    fields = {
        f"q{i}": forms.ChoiceField(
            choices=choices,
            widget=forms.RadioSelect,
            required=False,
            label=f"Question {i}",
            help_text="Why it matters.",
        )
        for i in range(n)
    }
    return type("StockForm", (forms.Form,), fields)


StockForm = _stock_form_class(15)


@login_required
def stock_form_page(request):
    """A stock Django page: the same 15 radio questions as a plain forms.Form, rendered with {{ form }}."""
    form = StockForm(initial={f"q{i}": "b" for i in range(15)})
    return HttpResponse(STOCK_PAGE.render({"form": form}, request))


urlpatterns = [
    path("bench/stock-form/", stock_form_page),
    path("", include("procurement.urls")),
]
