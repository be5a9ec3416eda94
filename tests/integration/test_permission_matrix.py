"""The permission matrix of issue 3: every URL × every role × GET and POST, exact outcomes.

The table below is written by hand from DOMAIN.md and issue 3 — who may do what, in which
phase — and not computed from ranking/rules.py: it is an independent statement the rules and
views must satisfy. `test_the_matrix_covers_every_url` enumerates the URL resolver, so a new
view without a row fails. The world (tests/matrix_data.py) is built afresh for every case,
since allowed POSTs change it.

Outcomes: 200 page, 403 refused (the 403 page with its message), 405 method not allowed,
LOGIN redirected to sign in, GO redirected after success (a success message and no error),
STAFF redirected to the admin site's sign-in (a staff-only tool). Pages that agency B's officer
(or the reviewer not assigned to A) may open are searched for A's note, self-score, evidence
file and name. Beyond the matrix: the role that may is refused out of its phase, with the
reason; B's own pages, B's htmx posts and the public pages of unpublished periods (404)
show nothing of A's.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.html import escape

from ranking.documents.decision import pdf_converter
from ranking.enums import Phase
from ranking.models import AwardEntry, Period, Result
from ranking.results.compute import results_compute
from ranking.rules import PERMISSION_MESSAGES
from tests.matrix_data import (
    AGENCY_A,
    APPRAISAL,
    FINAL,
    PDF,
    PUBLISHED,
    ROLES,
    SECRET_FILE,
    SECRET_NOTE,
    SECRET_SCORE_TEXTS,
    SELF,
    build_world,
    post_data,
    target,
)

pytestmark = pytest.mark.django_db

LOGIN = "login"  # 302 to the sign-in page, coming back here afterwards
GO = "go"  # 302 after the action succeeded
STAFF = "staff"  # 302 to the admin site's sign-in page
OK, NO, GONE, NA = 200, 403, 404, 405


@dataclass(frozen=True)
class Row:
    name: str
    target: str | None
    get: tuple
    post: tuple


ALL_NA = (NA,) * 8
# The council's PDF of the decision where LibreOffice is installed; elsewhere the council is sent
# back to the decision page with the reason (tests/integration/test_decision.py).
PDF_BY_COUNCIL = OK if pdf_converter() is not None else 302
SIGN_IN_THEN_NA = (LOGIN,) + (NA,) * 7

# Columns: anonymous, officer A, officer B, head A, reviewer assigned (R1), reviewer not
# assigned (R2), council, admin (role admin, staff and superuser).
#
# Targets: A1 = agency A's self-assessment of this year (draft, deadline ahead); A2 = A's
# assessment under appraisal by R1, with the step of the year named (tests/matrix_data.py).
# fmt: off
MATRIX = [
    # --- signing in and out -------------------------------------------------------------------------------
    #         anon    offA    offB    headA   R1      R2      council admin
    Row("login", None,
        get= (OK,     GO,     GO,     GO,     GO,     GO,     GO,     GO),
        post=(GO,     GO,     GO,     GO,     GO,     GO,     GO,     GO)),
    Row("logout", None,
        get= ALL_NA,
        post=(GO,     GO,     GO,     GO,     GO,     GO,     GO,     GO)),
    Row("password_change", None,
        get= (LOGIN,  OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=(LOGIN,  GO,     GO,     GO,     GO,     GO,     GO,     GO)),
    Row("password_change_done", None,
        get= (LOGIN,  OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("notification_settings", None,
        get= (LOGIN,  OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=(LOGIN,  GO,     GO,     GO,     GO,     GO,     GO,     GO)),
    # --- home; the blank import workbook is a staff tool (the admin site's sign-in for others) ------------
    #         anon    offA    offB    headA   R1      R2      council admin
    Row("home", None,
        get= (LOGIN,  OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=(NA,     NA,     NA,     NA,     NA,     NA,     NA,     NA)),
    Row("workbook_template", None,
        get= (STAFF,  STAFF,  STAFF,  STAFF,  STAFF,  STAFF,  OK,     OK),
        post=(NA,     NA,     NA,     NA,     NA,     NA,     NA,     NA)),
    # --- the agency's pages: A's people fill, the head alone submits; R1, council, admins read ------------
    #         anon    offA    offB    headA   R1      R2      council admin
    Row("assessment_detail", "A1",
        get= (LOGIN,  OK,     NO,     OK,     OK,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("assessment_leaf", "A1 leaf",
        get= (LOGIN,  OK,     NO,     OK,     OK,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("score_self_save", "A1 leaf",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  GO,     NO,     GO,     NO,     NO,     NO,     NO)),
    Row("evidence_upload", "A1 leaf",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  GO,     NO,     GO,     NO,     NO,     NO,     NO)),
    Row("evidence_download", "A1 evidence",
        get= (LOGIN,  OK,     NO,     OK,     OK,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("evidence_remove", "A1 evidence",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  GO,     NO,     GO,     NO,     NO,     NO,     NO)),
    Row("assessment_submit", "A1",
        get= (LOGIN,  OK,     NO,     OK,     OK,     NO,     OK,     OK),
        post=(LOGIN,  NO,     NO,     GO,     NO,     NO,     NO,     NO)),
    Row("assessment_withdraw", "A1 submitted",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     GO,     NO,     NO,     NO,     NO)),
    Row("explanation_save", "A2 approved leaf",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  GO,     NO,     GO,     NO,     NO,     NO,     NO)),
    Row("explanation_submit", "A2 approved",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     GO,     NO,     NO,     NO,     NO)),
    Row("assessment_history", "A1",
        get= (LOGIN,  OK,     NO,     OK,     OK,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("self_assessment_print", "A1",
        get= (LOGIN,  OK,     NO,     OK,     OK,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("self_assessment_xlsx", "A1",
        get= (LOGIN,  OK,     NO,     OK,     OK,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("score_history", "A1 leaf",
        get= (LOGIN,  OK,     NO,     OK,     OK,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    # --- appraisal: the assigned reviewer and the council; administrators may read ------------------------
    #         anon    offA    offB    headA   R1      R2      council admin
    Row("review_queue", None,
        get= (LOGIN,  NO,     NO,     NO,     OK,     OK,     OK,     NO),
        post=SIGN_IN_THEN_NA),
    Row("review_detail", "A2",
        get= (LOGIN,  NO,     NO,     NO,     OK,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("review_start", "A1 submitted",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     GO,     NO,     GO,     NO)),
    Row("score_review_save", "A2 leaf",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     GO,     NO,     GO,     NO)),
    Row("field_accept", "A2 field",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     GO,     NO,     GO,     NO)),
    Row("field_accept_undo", "A2 field",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     GO,     NO,     GO,     NO)),
    Row("assessment_return", "A2",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     GO,     NO,     GO,     NO)),
    Row("assessment_mark_reviewed", "A2",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     GO,     NO,     GO,     NO)),
    Row("explanation_decide", "A2 explained leaf",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     GO,     NO,     GO,     NO)),
    # --- the council: progress for the council and admins, decisions for the council alone ----------------
    #         anon    offA    offB    headA   R1      R2      council admin
    Row("period_dashboard", SELF,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("period_phase", SELF,
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     GO)),
    Row("period_phase_undo", SELF,
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     GO)),
    Row("appraisal_approve", "A2 reviewed",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("council_assessments", APPRAISAL,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("appraisals_approve", "A2 reviewed period",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("assessment_reopen", "A2",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("survey_scores", FINAL,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    # --- the survey: the council's pages; the respondents' form is anonymous by design ---------------------
    #         anon    offA    offB    headA   R1      R2      council admin
    Row("survey_progress", "final survey",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("survey_invitations_issue", "final survey",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("survey_points_compute", "final survey",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("survey_links", "final A survey",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("survey_qr_zip", "final A survey",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("survey_qr_png", "survey invitation",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("survey_qr_svg", "survey invitation",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("survey_statistics", "final survey",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("survey_answers_xlsx", "final survey",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("survey_form", "survey token",
        get= (OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=(OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK)),
    Row("demotions", FINAL,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("demotion_remove", "demotion",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("results_compute", FINAL,
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("provisional_results", FINAL,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("award_change", FINAL,
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("assessment_standing", "A3",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("assessment_late", "A3",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    # An agency's group for one period: the council and administrators, until the award list
    # is approved (A3: CCHC-2025's is) — the page still shows the group, without the form.
    Row("assessment_group", "A1",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     GO)),
    Row("assessment_group", "A3",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     NO,     NO)),
    Row("results_approve", FINAL,
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("period_publish", FINAL,
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("period_reopen", PUBLISHED,
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    # The decision announcing the published version: the council alone, once published.
    Row("decision", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     NO),
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     NO)),
    Row("decision", FINAL,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     NO,     NO),
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     NO,     NO)),
    Row("decision_docx", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     NO),
        post=SIGN_IN_THEN_NA),
    Row("decision_pdf", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     PDF_BY_COUNCIL, NO),
        post=SIGN_IN_THEN_NA),
    # --- published results: everyone, signed in or not ----------------------------------------------------
    #         anon    offA    offB    headA   R1      R2      council admin
    # --- background jobs: the council and admins start them; a job is its starter's and the admins' ------
    #         anon    offA    offB    headA   R1      R2      council admin
    Row("job_list", None,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("job_import", None,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     GO)),
    Row("job_export", FINAL,
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     GO)),
    # The whole year workbook: only who may export every sheet of it (the admin, a superuser).
    Row("job_year_export", None,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     NO,     OK),
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     NO,     GO)),
    Row("job_detail", "job",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("job_download", "job",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("job_cancel", "running job",
        get= SIGN_IN_THEN_NA,
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     GO,     GO)),
    Row("public_index", None,
        get= (OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=ALL_NA),
    Row("public_results", PUBLISHED,
        get= (OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=ALL_NA),
    Row("public_workbook", PUBLISHED,
        get= (OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=ALL_NA),
    Row("public_results_version", "published version 1",
        get= (OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=ALL_NA),
    Row("public_workbook_version", "published version 1",
        get= (OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
        post=ALL_NA),
    # --- the conference pack: council and admin at any time, reviewers once published; an agency
    # reads its own report once published ---------------------------------------------------------
    #         anon    offA    offB    headA   R1      R2      council admin
    Row("loss_analysis", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("loss_analysis", FINAL,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("loss_detail", "published leaf",
        get= (LOGIN,  NO,     NO,     NO,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("loss_detail", "final leaf",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("reviewer_consistency", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("self_accuracy", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("self_accuracy", FINAL,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("agency_report", "published A",
        get= (LOGIN,  OK,     NO,     OK,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("agency_report", "final A",
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("agency_report_print", "published A",
        get= (LOGIN,  OK,     NO,     OK,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("agency_report_xlsx", "published A",
        get= (LOGIN,  OK,     NO,     OK,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("reports_index", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("reports_index", FINAL,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("year_over_year", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
    Row("pack_export", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     OK,     OK,     OK,     OK),
        post=(LOGIN,  NO,     NO,     NO,     OK,     OK,     OK,     OK)),
    Row("pack_export", FINAL,
        get= (LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK),
        post=(LOGIN,  NO,     NO,     NO,     NO,     NO,     OK,     OK)),
    Row("award_list_print", PUBLISHED,
        get= (LOGIN,  NO,     NO,     NO,     OK,     OK,     OK,     OK),
        post=SIGN_IN_THEN_NA),
]
# fmt: on

# Which methods each view accepts, read from its decorators (require_GET, require_POST,
# require_http_methods, the auth views' http_method_names); "any" has no restriction.
METHODS = {
    "login": "GET POST",
    "logout": "POST",
    "password_change": "GET POST",
    "password_change_done": "GET",
    "notification_settings": "GET POST",
    "self_assessment_print": "GET",
    "self_assessment_xlsx": "GET",
    "assessment_standing": "POST",
    "assessment_late": "POST",
    "assessment_group": "GET POST",
    "home": "GET",
    "workbook_template": "GET",
    "assessment_detail": "GET",
    "score_self_save": "POST",
    "evidence_upload": "POST",
    "evidence_download": "GET",
    "evidence_remove": "POST",
    "assessment_submit": "GET POST",
    "assessment_withdraw": "POST",
    "explanation_save": "POST",
    "explanation_submit": "POST",
    "assessment_history": "GET",
    "score_history": "GET",
    "assessment_leaf": "GET",
    "review_queue": "GET",
    "review_detail": "GET",
    "review_start": "POST",
    "score_review_save": "POST",
    "field_accept": "POST",
    "field_accept_undo": "POST",
    "assessment_return": "POST",
    "assessment_mark_reviewed": "POST",
    "explanation_decide": "POST",
    "period_dashboard": "GET",
    "period_phase": "POST",
    "period_phase_undo": "POST",
    "appraisal_approve": "POST",
    "council_assessments": "GET",
    "appraisals_approve": "POST",
    "assessment_reopen": "POST",
    "survey_scores": "GET POST",
    "survey_progress": "GET",
    "survey_invitations_issue": "POST",
    "survey_points_compute": "POST",
    "survey_links": "GET",
    "survey_qr_zip": "GET",
    "survey_qr_png": "GET",
    "survey_qr_svg": "GET",
    "survey_statistics": "GET",
    "survey_answers_xlsx": "GET",
    "survey_form": "GET POST",
    "demotions": "GET POST",
    "demotion_remove": "POST",
    "results_compute": "POST",
    "provisional_results": "GET",
    "award_change": "POST",
    "results_approve": "POST",
    "period_publish": "POST",
    "period_reopen": "POST",
    "decision": "GET POST",
    "decision_docx": "GET",
    "decision_pdf": "GET",
    "job_list": "GET",
    "job_import": "GET POST",
    "job_export": "POST",
    "job_year_export": "GET POST",
    "job_detail": "GET",
    "job_download": "GET",
    "job_cancel": "POST",
    "public_index": "GET",
    "public_results": "GET",
    "public_workbook": "GET",
    "public_results_version": "GET",
    "public_workbook_version": "GET",
    "loss_analysis": "GET",
    "loss_detail": "GET",
    "reviewer_consistency": "GET",
    "self_accuracy": "GET",
    "agency_report": "GET",
    "agency_report_print": "GET",
    "agency_report_xlsx": "GET",
    "reports_index": "GET",
    "year_over_year": "GET",
    "pack_export": "GET POST",
    "award_list_print": "GET",
}

# Views that redirect after success without a message: Django's auth views, and the jobs
# (they open the job's page, which tells how it goes).
# The undos: without a change to undo in the session, they only say there is nothing to undo.
SILENT_SUCCESS = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "job_import",
    "job_export",
    "job_year_export",
    "field_accept_undo",
    "period_phase_undo",
}

# Pages of A's draft that show its note to whoever may read them.
SHOW_A_S_NOTE = {"assessment_detail", "assessment_history", "score_history", "assessment_leaf"}

# URLs whose pages may name agency A to anyone: the results A had once they were published.
# Pages of the published period, where A's name and results may appear.
PUBLISHED_PAGES = {
    "public_results",
    "public_workbook",
    "public_results_version",
    "public_workbook_version",
    "loss_analysis",
    "loss_detail",
    "self_accuracy",
    "agency_report",
    "agency_report_print",
    "agency_report_xlsx",
    "reports_index",
    "year_over_year",
    "award_list_print",
    "pack_export",
}

CASES = [
    pytest.param(row, role, method, expected, id=f"{row.name}-{role}-{method}")
    for row in MATRIX
    for method, outcomes in (("GET", row.get), ("POST", row.post))
    for role, expected in zip(ROLES, outcomes, strict=True)
]


# --- the world ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Evidence files in a temporary MEDIA_ROOT."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "media")}},
    }


@pytest.fixture(autouse=True)
def _queued_jobs(settings):
    """Background jobs wait in the database queue, as in production: starting one only queues it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def world():
    return build_world()


def client_of(client, world, role: str):
    """The test client signed in as `role` (not at all for anonymous), asking for English pages."""
    client.cookies["django_language"] = "en"
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def send(client, method: str, url: str, data: dict | None = None):
    response = client.get(url) if method == "GET" else client.post(url, data or {})
    if response.streaming:
        # Read and close a file download, so no file handle outlives the test.
        response.body = b"".join(response.streaming_content)
        response.close()
    else:
        response.body = response.content
    return response


def text_of(response) -> str:
    return response.body.decode(errors="replace")


# --- what each outcome means ---------------------------------------------------------------------------

REFUSAL_HEADING = "You may not do this"  # templates/403.html


def assert_refused(response) -> None:
    assert response.status_code == 403
    html = text_of(response)
    assert f'<h1 class="h4 text-danger">{REFUSAL_HEADING}</h1>' in html
    message = re.search(rf"{REFUSAL_HEADING}</h1>\s*<p[^>]*>(.*?)</p>", html, re.S)
    assert message and message.group(1).strip(), "the 403 page says why"


def assert_outcome(response, expected, *, path: str, checks_messages: bool) -> None:
    location = response.get("Location", "")
    if expected == LOGIN:
        assert (response.status_code, location) == (302, redirect_to_login(path).url)
    elif expected == STAFF:
        assert (response.status_code, location) == (302, f"/admin/login/?next={path}")
    elif expected == GO:
        assert response.status_code == 302, text_of(response)[:2000]
        assert not location.startswith(reverse("login") + "?"), location
        assert not location.startswith("/admin/login/"), location
        levels = [m.level for m in messages.get_messages(response.wsgi_request)]
        assert not [lv for lv in levels if lv >= messages.WARNING], [
            str(m) for m in messages.get_messages(response.wsgi_request)
        ]
        if checks_messages:
            assert messages.SUCCESS in levels, "the action says it succeeded"
    elif expected == NO:
        assert_refused(response)
    else:
        assert response.status_code == expected, location or text_of(response)[:2000]


def assert_nothing_of_a(response, *, name_allowed: bool = False) -> None:
    """Nothing of agency A's unpublished work: its note, its self-score, its file (and its name)."""
    html = text_of(response)
    secrets = [SECRET_NOTE, SECRET_FILE, *SECRET_SCORE_TEXTS]
    if not name_allowed:
        secrets.append(AGENCY_A)
    assert [s for s in secrets if s in html] == []


# --- the matrix ------------------------------------------------------------------------------------------


def enumerated_url_names() -> list[str]:
    """The name of every URL of the application, from the resolver (the admin site and
    Django's set_language excepted)."""
    names = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_name, "__name__", pattern.urlconf_name)
                if pattern.namespace == "admin" or module == "django.conf.urls.i18n":
                    continue
                walk(pattern.url_patterns)
            else:
                assert isinstance(pattern, URLPattern)
                assert pattern.name, f"the URL {pattern.pattern} has no name"
                names.append(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_the_matrix_covers_every_url():
    names = enumerated_url_names()
    assert len(names) == len(set(names)), "every URL name is used once"
    assert set(names) == {row.name for row in MATRIX}
    # A URL may be stated in several states (a published and an unpublished period), never twice in one.
    assert len(MATRIX) == len({(row.name, row.target) for row in MATRIX})
    assert set(METHODS) == set(names)


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: f"{row.name}@{row.target}")
def test_a_view_refuses_the_method_it_does_not_take(row):
    """GET-only views answer 405 to POST, POST-only views 405 to GET, for everyone signed in
    (the sign-in redirect comes first for anonymous users on protected pages)."""
    accepted = METHODS[row.name]
    for method, outcomes in (("GET", row.get), ("POST", row.post)):
        signed_in = outcomes[1:]
        if accepted != "any" and method not in accepted.split():
            assert set(signed_in) == {NA}
            assert outcomes[0] in (NA, LOGIN)
        else:
            assert NA not in outcomes


@pytest.mark.parametrize(("row", "role", "method", "expected"), CASES)
def test_permission_matrix(client, world, row, role, method, expected):
    kwargs = target(world, row.target)
    path = reverse(row.name, kwargs=kwargs)
    client = client_of(client, world, role)
    data = post_data(world, row.name) if method == "POST" else None

    response = send(client, method, path, data)

    assert_outcome(response, expected, path=path, checks_messages=row.name not in SILENT_SUCCESS)
    if response.status_code == 200 and role in ("officer_b", "reviewer_other"):
        # Agency B, and the reviewer who is not A's, read nothing of A's unpublished work.
        assert_nothing_of_a(response, name_allowed=row.name in PUBLISHED_PAGES)
    if row.name in SHOW_A_S_NOTE and response.status_code == 200:
        # Those allowed really read A's work: the refusals above protect something.
        assert SECRET_NOTE in text_of(response)
    if row.name == "evidence_download" and response.status_code == 200:
        assert response.body == PDF
        assert SECRET_FILE in response["Content-Disposition"]


# --- the role that may, out of its phase ----------------------------------------------------------------

# Issue 3: "a POST outside the phase or the role is refused with 403 and a clear message". The
# matrix refuses by role; here the role that may is refused because of the phase, the deadline
# or the assessment's status, and the 403 page says why (the service's message).
# (URL, role that may in the right phase, target out of phase, permission refused)
OUT_OF_PHASE = [
    ("score_self_save", "officer_a", "A1 late leaf", "ranking.fill_assessment"),
    ("score_self_save", "head_a", "A2 leaf", "ranking.fill_assessment"),
    ("evidence_upload", "officer_a", "A1 late leaf", "ranking.fill_assessment"),
    ("evidence_remove", "officer_a", "A1 late evidence", "ranking.fill_assessment"),
    ("assessment_submit", "head_a", "A1 late", "ranking.submit_assessment"),
    ("assessment_withdraw", "head_a", "A2", "ranking.withdraw_assessment"),
    ("explanation_save", "officer_a", "A2 leaf", "ranking.explain_assessment"),
    ("explanation_submit", "head_a", "A2", "ranking.submit_explanation"),
    ("review_start", "reviewer_assigned", "A1", "ranking.review_assessment"),
    ("score_review_save", "reviewer_assigned", "A1 leaf", "ranking.review_assessment"),
    ("field_accept", "council", "A1 field", "ranking.review_assessment"),
    ("assessment_return", "reviewer_assigned", "A1", "ranking.review_assessment"),
    ("assessment_mark_reviewed", "reviewer_assigned", "A1", "ranking.review_assessment"),
    ("explanation_decide", "reviewer_assigned", "A2 approved leaf", "ranking.decide_explanation"),
    ("appraisal_approve", "council", "A2", "ranking.approve_appraisal"),
    ("appraisals_approve", "council", FINAL, "ranking.approve_appraisals"),
    ("assessment_reopen", "council", "A3", "ranking.reopen_assessment"),
    ("period_phase", "council", PUBLISHED, "ranking.set_phase"),
    ("period_phase", "admin", PUBLISHED, "ranking.set_phase"),
    ("survey_scores", "council", SELF, "ranking.finalize_period"),
    ("survey_points_compute", "council", SELF, "ranking.finalize_period"),
    ("survey_invitations_issue", "council", PUBLISHED, "ranking.manage_survey"),
    ("demotions", "council", SELF, "ranking.finalize_period"),
    ("demotion_remove", "council", "demotion in explanation", "ranking.finalize_period"),
    ("results_compute", "council", SELF, "ranking.finalize_period"),
    ("award_change", "council", SELF, "ranking.finalize_period"),
    ("results_approve", "council", APPRAISAL, "ranking.finalize_period"),
    ("period_publish", "council", "unapproved", "ranking.publish_period"),
    ("period_reopen", "council", FINAL, "ranking.reopen_period"),
    ("decision", "council", FINAL, "ranking.record_decision"),
]


@pytest.mark.parametrize(
    ("name", "role", "key", "permission"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}-{case[2]}") for case in OUT_OF_PHASE],
)
def test_out_of_its_phase_a_post_is_refused_with_the_reason(client, world, name, role, key, permission):
    path = reverse(name, kwargs=target(world, key))
    client = client_of(client, world, role)

    response = send(client, "POST", path, post_data(world, name))

    assert_refused(response)
    with translation.override("en"):
        assert escape(str(PERMISSION_MESSAGES[permission])) in text_of(response)


# --- confidentiality beyond the matrix ----------------------------------------------------------------------

OWN_PAGES = ["assessment_detail", "assessment_submit", "assessment_history"]


@pytest.mark.parametrize("code", [SELF, APPRAISAL, FINAL])
def test_agency_b_reads_its_own_pages_without_anything_of_a(client, world, code):
    """B's own assessment pages, in the same group as A, before publication."""
    client = client_of(client, world, "officer_b")
    own = world.b[code]
    for name in OWN_PAGES:
        response = send(client, "GET", reverse(name, args=[own.pk]))
        assert response.status_code == 200, name
        assert_nothing_of_a(response)
    leaf = world.leaves[code]["1.1"]
    response = send(client, "GET", reverse("score_history", args=[own.pk, leaf.pk]))
    assert response.status_code == 200
    assert_nothing_of_a(response)


@pytest.mark.parametrize("code", [SELF, APPRAISAL, FINAL])
def test_agency_b_is_refused_every_page_of_a(client, world, code):
    client = client_of(client, world, "officer_b")
    a = world.a[code]
    leaf = world.leaves[code]["1.1"]
    for path in (
        *(reverse(name, args=[a.pk]) for name in OWN_PAGES),
        reverse("score_history", args=[a.pk, leaf.pk]),
        reverse("review_detail", args=[a.pk]),
    ):
        response = send(client, "GET", path)
        assert_refused(response)
        assert_nothing_of_a(response)


HTMX_POSTS = [row for row in MATRIX if row.post[ROLES.index("officer_b")] == NO]


@pytest.mark.parametrize("row", HTMX_POSTS, ids=lambda row: f"{row.name}@{row.target}")
def test_agency_b_posting_like_htmx_is_refused_without_anything_of_a(client, world, row):
    """The autosave forms post with htmx and get fragments back: a refusal is a short 403
    message in place (or the 403 page), never A's re-rendered row."""
    path = reverse(row.name, kwargs=target(world, row.target))
    client = client_of(client, world, "officer_b")

    response = client.post(path, post_data(world, row.name), headers={"HX-Request": "true"})
    response.body = response.content

    assert response.status_code == 403
    html = text_of(response)
    if REFUSAL_HEADING in html:
        assert_refused(response)
    else:
        assert re.fullmatch(
            r'\s*<div class="alert alert-danger mb-2" role="alert">\s*[^<\s][^<]*</div>\s*', html
        )
    assert_nothing_of_a(response)


def test_b_cannot_download_a_s_evidence_and_anonymous_users_are_sent_to_sign_in(client, world):
    path = reverse("evidence_download", args=[world.evidence.pk])

    anonymous = send(client_of(client, world, "anonymous"), "GET", path)
    assert (anonymous.status_code, anonymous["Location"]) == (302, redirect_to_login(path).url)

    refused = send(client_of(client, world, "officer_b"), "GET", path)
    assert_refused(refused)
    assert PDF not in refused.body
    assert SECRET_FILE not in text_of(refused)


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_show_nothing_of_unpublished_periods(client, world, role):
    client = client_of(client, world, role)
    index = send(client, "GET", reverse("public_index"))
    assert index.status_code == 200
    for code in (SELF, APPRAISAL, FINAL):
        assert reverse("public_results", args=[code]) not in text_of(index)
        for name in ("public_results", "public_workbook"):
            assert send(client, "GET", reverse(name, args=[code])).status_code == GONE, (name, code)
    assert send(client, "GET", reverse("public_results", args=[PUBLISHED])).status_code == 200


def test_the_world_s_results_are_computed_ones(world):
    """The results the world writes by hand are those results_compute makes of its scores."""

    def snapshot(period):
        return [
            (r.agency.code, r.total, r.maximum, r.index, r.field_scores, r.tier.label, r.demoted, r.rank)
            + (r.previous_rank, r.tier_before_demotion.label, r.total_without_survey)
            for r in Result.objects.filter(period=period).select_related(
                "agency", "tier", "tier_before_demotion"
            )
        ] + [(e.agency.code, e.proposed, e.included) for e in AwardEntry.objects.filter(period=period)]

    for code in (FINAL, PUBLISHED):
        period = world.periods[code]
        written = snapshot(period)
        fingerprint = Period.objects.get(pk=period.pk).results_fingerprint
        Period.objects.filter(pk=period.pk).update(phase=Phase.FINALIZATION)
        results_compute(period=Period.objects.get(pk=period.pk))
        assert snapshot(period) == written
        assert Period.objects.get(pk=period.pk).results_fingerprint == fingerprint
