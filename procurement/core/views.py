from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from procurement.assessments.selectors import dashboard_for_user
from procurement.questionbank.selectors import banks_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    ctx = {"banks": banks_for_user(request.user), **dashboard_for_user(request.user)}
    return render(request, "core/home.html", ctx)
