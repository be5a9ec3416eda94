from django.urls import path

from ranking.views import review

urlpatterns = [
    path("", review.review_queue, name="review_queue"),
    path("<id:pk>/", review.review_detail, name="review_detail"),
    path("<id:pk>/bat-dau/", review.review_start, name="review_start"),
    path("<id:pk>/diem/<id:criterion_id>/", review.score_review_save, name="score_review_save"),
    path("<id:pk>/linh-vuc/<str:field_code>/chap-nhan/", review.field_accept, name="field_accept"),
    path(
        "<id:pk>/linh-vuc/<str:field_code>/hoan-tac/", review.field_accept_undo_view, name="field_accept_undo"
    ),
    path("<id:pk>/tra-lai/", review.assessment_return_view, name="assessment_return"),
    path("<id:pk>/hoan-thanh/", review.assessment_reviewed_view, name="assessment_mark_reviewed"),
    path("<id:pk>/giai-trinh/<id:criterion_id>/", review.explanation_decide_view, name="explanation_decide"),
]
