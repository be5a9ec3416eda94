"""Background jobs: the year workbook import, the conference workbook export and the year
workbook export."""

from django.urls import path

from ranking.views import jobs

urlpatterns = [
    path("", jobs.job_list, name="job_list"),
    path("nhap/", jobs.job_import, name="job_import"),
    path("xuat/<str:code>/", jobs.job_export, name="job_export"),
    path("xuat-du-lieu-nam/", jobs.job_year_export, name="job_year_export"),
    path("<id:pk>/", jobs.job_detail, name="job_detail"),
    path("<id:pk>/huy/", jobs.job_cancel, name="job_cancel"),
    path("<id:pk>/tai-ve/", jobs.job_download, name="job_download"),
]
