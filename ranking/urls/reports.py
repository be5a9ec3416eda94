"""The conference pack: analysis and reports of a period, as pages, print views and Excel."""

from django.urls import path

from ranking.views import reports_agency, reports_analysis, reports_pack

urlpatterns = [
    path("<str:code>/", reports_pack.reports_index, name="reports_index"),
    path("<str:code>/diem-bi-tru/", reports_analysis.loss_analysis, name="loss_analysis"),
    path("<str:code>/diem-bi-tru/<id:criterion_id>/", reports_analysis.loss_detail, name="loss_detail"),
    path("<str:code>/tham-dinh-vien/", reports_analysis.reviewer_consistency, name="reviewer_consistency"),
    path("<str:code>/tu-danh-gia/", reports_analysis.self_accuracy, name="self_accuracy"),
    path("<str:code>/don-vi/<str:agency_code>/", reports_agency.agency_report, name="agency_report"),
    path(
        "<str:code>/don-vi/<str:agency_code>/in/",
        reports_agency.agency_report_print,
        name="agency_report_print",
    ),
    path(
        "<str:code>/don-vi/<str:agency_code>/bao-cao.xlsx",
        reports_agency.agency_report_xlsx,
        name="agency_report_xlsx",
    ),
    path("<str:code>/so-sanh/", reports_pack.year_over_year, name="year_over_year"),
    path("<str:code>/xuat/", reports_pack.pack_export, name="pack_export"),
    path("<str:code>/bang-khen/in/", reports_pack.award_list_print, name="award_list_print"),
]
