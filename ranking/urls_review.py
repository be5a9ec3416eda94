from django.urls import path

from .views import review

urlpatterns = [
    path("", review.review_queue, name="review_queue"),
    path("<int:pk>/", review.review_detail, name="review_detail"),
    path("<int:pk>/bat-dau/", review.review_start, name="review_start"),
    path("<int:pk>/diem/<int:criterion_id>/", review.score_review_save, name="score_review_save"),
    path("<int:pk>/linh-vuc/<str:field_code>/chap-nhan/", review.field_accept, name="field_accept"),
    path("<int:pk>/tra-lai/", review.assessment_return_view, name="assessment_return"),
    path("<int:pk>/hoan-thanh/", review.assessment_reviewed_view, name="assessment_mark_reviewed"),
    path(
        "<int:pk>/giai-trinh/<int:criterion_id>/", review.explanation_decide_view, name="explanation_decide"
    ),
]
