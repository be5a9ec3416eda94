"""People and organisations: groups of agencies, agencies and the users who act for them."""

import rules
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ranking.records import HistoricalRecords
from ranking.text import CleanCharField


class Role(models.TextChoices):
    OFFICER = "officer", _("Agency officer")
    HEAD = "head", _("Agency head")
    REVIEWER = "reviewer", _("Reviewer")
    COUNCIL = "council", _("Appraisal council")
    ADMIN = "admin", _("Administrator")
    VIEWER = "viewer", _("Viewer")


AGENCY_ROLES = (Role.OFFICER, Role.HEAD)


class AgencyGroup(models.Model):
    """A group (khối): agencies are ranked only against their own group."""

    code = CleanCharField(_("code"), max_length=32, unique=True)
    name = CleanCharField(_("name"), max_length=255)
    order = models.PositiveIntegerField(_("display order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("group of agencies")
        verbose_name_plural = _("groups of agencies")

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """An agency (cơ quan, đơn vị); its code is the stable key of every import."""

    code = CleanCharField(_("code"), max_length=32, unique=True)
    name = CleanCharField(_("name"), max_length=255)
    group = models.ForeignKey(
        AgencyGroup, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("group")
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["group__order", "code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person with one role; agency officers and heads belong to one agency."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("agency"),
    )
    # Names are printed in the workbooks (reviewers): kept clean as every other name.
    first_name = CleanCharField(_("first name"), max_length=150, blank=True)
    last_name = CleanCharField(_("last name"), max_length=150, blank=True)
    position = CleanCharField(_("position"), max_length=255, blank=True)
    # A reviewer assigned to many agencies would otherwise receive one e-mail per submission on
    # the deadline's day: the work that arrives is collected into one e-mail a day instead.
    daily_digest = models.BooleanField(
        _("one daily digest e-mail"),
        default=False,
        help_text=_(
            "Collect the e-mails about submissions, explanations and completed appraisals into "
            "one e-mail a day instead of one e-mail each."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=AGENCY_ROLES) | models.Q(agency__isnull=False),
                name="agency_member_has_agency",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_perm(self, perm: str, obj=None) -> bool:
        # The workflow's permissions (ranking/rules.py) bind everyone, superusers included:
        # a phase or a deadline is not something an account flag may skip.
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def get_full_name(self) -> str:
        # Vietnamese names read family name first: Nguyễn Văn An.
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_agency_member(self) -> bool:
        return self.role in AGENCY_ROLES
