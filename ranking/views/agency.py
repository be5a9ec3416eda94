"""Scaffolding: replaced by the real views."""

from django.http import Http404


def assessment_detail(request, **kwargs):
    raise Http404


def assessment_history(request, **kwargs):
    raise Http404


def assessment_submit_view(request, **kwargs):
    raise Http404


def assessment_withdraw_view(request, **kwargs):
    raise Http404


def evidence_download(request, **kwargs):
    raise Http404


def evidence_remove(request, **kwargs):
    raise Http404


def evidence_upload(request, **kwargs):
    raise Http404


def explanation_save(request, **kwargs):
    raise Http404


def explanation_submit_view(request, **kwargs):
    raise Http404


def score_history(request, **kwargs):
    raise Http404


def score_self_save(request, **kwargs):
    raise Http404
