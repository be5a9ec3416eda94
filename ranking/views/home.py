from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ranking.workbook import template_workbook_bytes


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ranking/home.html")


@staff_member_required
def workbook_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        template_workbook_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-so-lieu-danh-gia.xlsx"'
    return response
