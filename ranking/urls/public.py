from django.urls import path

from ranking.views import public

urlpatterns = [
    path("", public.public_index, name="public_index"),
    path("<str:code>/", public.public_results, name="public_results"),
    path("<str:code>/hoi-nghi.xlsx", public.public_workbook, name="public_workbook"),
    path("<str:code>/phien-ban/<id:version>/", public.public_results, name="public_results_version"),
    path(
        "<str:code>/phien-ban/<id:version>/hoi-nghi.xlsx",
        public.public_workbook,
        name="public_workbook_version",
    ),
]
