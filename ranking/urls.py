from django.urls import path

from .views import home, workbook_template

urlpatterns = [
    path("", home, name="home"),
    path("mau-so-lieu.xlsx", workbook_template, name="workbook_template"),
]
