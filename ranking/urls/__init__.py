"""URLs by audience: agencies, reviewers, the council, the public and the survey's respondents
(no sign-in)."""

from django.urls import include, path, register_converter

from ranking.converters import RowId
from ranking.views import home

# Before the modules below are read: their paths take ids as <id:pk>.
register_converter(RowId, "id")

urlpatterns = [
    path("", home.home, name="home"),
    path("mau-so-lieu.xlsx", home.workbook_template, name="workbook_template"),
    path("danh-gia/", include("ranking.urls.agency")),
    path("tham-dinh/", include("ranking.urls.review")),
    path("hoi-dong/", include("ranking.urls.council")),
    path("ket-qua/", include("ranking.urls.public")),
    path("cong-viec/", include("ranking.urls.jobs")),
    path("bao-cao/", include("ranking.urls.reports")),
    path("khao-sat/", include("ranking.urls.survey")),
]
