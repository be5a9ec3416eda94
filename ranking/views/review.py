"""Scaffolding: replaced by the real views."""

from django.http import Http404


def assessment_return_view(request, **kwargs):
    raise Http404


def assessment_reviewed_view(request, **kwargs):
    raise Http404


def explanation_decide_view(request, **kwargs):
    raise Http404


def field_accept(request, **kwargs):
    raise Http404


def review_detail(request, **kwargs):
    raise Http404


def review_queue(request, **kwargs):
    raise Http404


def score_review_save(request, **kwargs):
    raise Http404
