from django.urls import path

from ranking.views import agency, agency_documents, agency_steps

urlpatterns = [
    path("<id:pk>/", agency.assessment_detail, name="assessment_detail"),
    path("<id:pk>/diem/<id:criterion_id>/", agency.score_self_save, name="score_self_save"),
    path("<id:pk>/chi-tiet/<id:criterion_id>/", agency.assessment_leaf, name="assessment_leaf"),
    path("<id:pk>/minh-chung/<id:criterion_id>/", agency.evidence_upload, name="evidence_upload"),
    path("minh-chung/<id:evidence_id>/", agency.evidence_download, name="evidence_download"),
    path("minh-chung/<id:evidence_id>/xoa/", agency.evidence_remove, name="evidence_remove"),
    path("<id:pk>/nop/", agency_steps.assessment_submit_view, name="assessment_submit"),
    path("<id:pk>/rut-lai/", agency_steps.assessment_withdraw_view, name="assessment_withdraw"),
    path("<id:pk>/giai-trinh/<id:criterion_id>/", agency.explanation_save, name="explanation_save"),
    path("<id:pk>/giai-trinh/nop/", agency_steps.explanation_submit_view, name="explanation_submit"),
    path("<id:pk>/in/", agency_documents.self_assessment_print, name="self_assessment_print"),
    path("<id:pk>/tu-danh-gia.xlsx", agency_documents.self_assessment_xlsx, name="self_assessment_xlsx"),
    path("<id:pk>/lich-su/", agency_steps.assessment_history, name="assessment_history"),
    path("<id:pk>/lich-su/<id:criterion_id>/", agency_steps.score_history, name="score_history"),
]
