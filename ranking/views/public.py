"""Scaffolding: replaced by the real views."""

from django.http import Http404


def public_index(request, **kwargs):
    raise Http404


def public_results(request, **kwargs):
    raise Http404


def public_workbook(request, **kwargs):
    raise Http404
