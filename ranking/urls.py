"""URLs by audience: agencies, reviewers, the council, and the public (no sign-in)."""

from django.urls import include, path, register_converter

from .converters import RowId
from .views import home

# Before the modules below are read: their paths take ids as <id:pk>.
register_converter(RowId, "id")

urlpatterns = [
    path("", home.home, name="home"),
    path("mau-so-lieu.xlsx", home.workbook_template, name="workbook_template"),
    path("danh-gia/", include("ranking.urls_agency")),
    path("tham-dinh/", include("ranking.urls_review")),
    path("hoi-dong/", include("ranking.urls_council")),
    path("ket-qua/", include("ranking.urls_public")),
    path("cong-viec/", include("ranking.urls_jobs")),
    path("bao-cao/", include("ranking.urls_reports")),
]
