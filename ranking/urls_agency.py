from django.urls import path

from .views import agency

urlpatterns = [
    path("<int:pk>/", agency.assessment_detail, name="assessment_detail"),
    path("<int:pk>/diem/<int:criterion_id>/", agency.score_self_save, name="score_self_save"),
    path("<int:pk>/minh-chung/<int:criterion_id>/", agency.evidence_upload, name="evidence_upload"),
    path("minh-chung/<int:evidence_id>/", agency.evidence_download, name="evidence_download"),
    path("minh-chung/<int:evidence_id>/xoa/", agency.evidence_remove, name="evidence_remove"),
    path("<int:pk>/nop/", agency.assessment_submit_view, name="assessment_submit"),
    path("<int:pk>/rut-lai/", agency.assessment_withdraw_view, name="assessment_withdraw"),
    path("<int:pk>/giai-trinh/<int:criterion_id>/", agency.explanation_save, name="explanation_save"),
    path("<int:pk>/giai-trinh/nop/", agency.explanation_submit_view, name="explanation_submit"),
    path("<int:pk>/lich-su/", agency.assessment_history, name="assessment_history"),
    path("<int:pk>/lich-su/<int:criterion_id>/", agency.score_history, name="score_history"),
]
