from django.urls import path

from ranking.views import council, council_results, decision, survey_statistics, surveys

urlpatterns = [
    path("<str:code>/", council.period_dashboard, name="period_dashboard"),
    path("<str:code>/giai-doan/", council.period_phase_view, name="period_phase"),
    path("<str:code>/giai-doan/hoan-tac/", council.period_phase_undo_view, name="period_phase_undo"),
    path("<str:code>/danh-sach/", council.council_assessments, name="council_assessments"),
    path("<str:code>/duyet-tham-dinh/", council.appraisals_approve_view, name="appraisals_approve"),
    path("danh-gia/<id:pk>/duyet/", council.appraisal_approve_view, name="appraisal_approve"),
    path("danh-gia/<id:pk>/mo-lai/", council.assessment_reopen_view, name="assessment_reopen"),
    path("danh-gia/<id:pk>/xep-hang/", council_results.assessment_standing_view, name="assessment_standing"),
    path("danh-gia/<id:pk>/khoi/", council.assessment_group_view, name="assessment_group"),
    path("danh-gia/<id:pk>/nop-muon/", council_results.assessment_late_view, name="assessment_late"),
    path("<str:code>/dieu-tra/", council.survey_scores, name="survey_scores"),
    path("<str:code>/khao-sat/", surveys.survey_progress_view, name="survey_progress"),
    path(
        "<str:code>/khao-sat/phat-phieu/",
        surveys.survey_invitations_issue_view,
        name="survey_invitations_issue",
    ),
    path(
        "<str:code>/khao-sat/thong-ke/",
        survey_statistics.survey_statistics_view,
        name="survey_statistics",
    ),
    path(
        "<str:code>/khao-sat/thong-ke/tra-loi.xlsx",
        survey_statistics.survey_answers_xlsx_view,
        name="survey_answers_xlsx",
    ),
    path("<str:code>/khao-sat/tinh-diem/", surveys.survey_points_compute_view, name="survey_points_compute"),
    path("<str:code>/khao-sat/phieu/<str:agency_code>/", surveys.survey_links_view, name="survey_links"),
    path("<str:code>/khao-sat/phieu/<str:agency_code>.zip", surveys.survey_qr_zip_view, name="survey_qr_zip"),
    path(
        "<str:code>/khao-sat/qr/<str:token>.png", surveys.survey_qr_view, {"fmt": "png"}, name="survey_qr_png"
    ),
    path(
        "<str:code>/khao-sat/qr/<str:token>.svg", surveys.survey_qr_view, {"fmt": "svg"}, name="survey_qr_svg"
    ),
    path("<str:code>/ha-bac/", council.demotions, name="demotions"),
    path("<str:code>/ha-bac/<id:demotion_id>/xoa/", council.demotion_remove_view, name="demotion_remove"),
    path("<str:code>/tinh-ket-qua/", council_results.results_compute_view, name="results_compute"),
    path("<str:code>/ket-qua/", council_results.provisional_results, name="provisional_results"),
    path("<str:code>/khen-thuong/", council_results.award_change_view, name="award_change"),
    path("<str:code>/phe-duyet/", council_results.results_approve_view, name="results_approve"),
    path("<str:code>/cong-bo/", council_results.period_publish_view, name="period_publish"),
    path("<str:code>/mo-lai/", council_results.period_reopen_view, name="period_reopen"),
    path("<str:code>/quyet-dinh/", decision.decision, name="decision"),
    path("<str:code>/quyet-dinh.docx", decision.decision_docx_view, name="decision_docx"),
    path("<str:code>/quyet-dinh.pdf", decision.decision_pdf_view, name="decision_pdf"),
]
