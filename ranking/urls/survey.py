from django.urls import path

from ranking.views import survey_form

# The respondents' form: anonymous by design, reached by an invitation's link or QR code.
urlpatterns = [
    path("<str:token>/", survey_form.survey_form, name="survey_form"),
]
