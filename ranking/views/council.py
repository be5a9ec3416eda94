"""Scaffolding: replaced by the real views."""

from django.http import Http404


def appraisal_approve_view(request, **kwargs):
    raise Http404


def assessment_reopen_view(request, **kwargs):
    raise Http404


def award_change_view(request, **kwargs):
    raise Http404


def demotion_remove_view(request, **kwargs):
    raise Http404


def demotions(request, **kwargs):
    raise Http404


def period_dashboard(request, **kwargs):
    raise Http404


def period_phase_view(request, **kwargs):
    raise Http404


def period_publish_view(request, **kwargs):
    raise Http404


def period_reopen_view(request, **kwargs):
    raise Http404


def provisional_results(request, **kwargs):
    raise Http404


def results_approve_view(request, **kwargs):
    raise Http404


def results_compute_view(request, **kwargs):
    raise Http404


def survey_scores(request, **kwargs):
    raise Http404
