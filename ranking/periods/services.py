"""Setting up periods: copying last year's criteria set, tier scheme, award rule and survey set-up."""

from django.db import transaction
from django.utils.translation import gettext as _

from ranking.enums import Phase
from ranking.errors import ServiceError
from ranking.models import Criterion, Period, RespondentGroup, SurveyQuestion, SurveyScale, Tier


@transaction.atomic
def period_copy(*, source: Period, year: int, code: str = "", name: str = "") -> Period:
    """A new period of the same subject for `year`, with `source`'s criteria set (tree,
    methods, options, group applicability, guidance), tier scheme and award rule, following
    `source` in the change column. It opens in set-up, ready to be edited."""
    code = code or f"{source.subject}-{year}"
    if Period.objects.filter(code=code).exists():
        raise ServiceError(_("A period with the code %(code)s already exists.") % {"code": code})
    if Period.objects.filter(year=year, subject=source.subject).exists():
        raise ServiceError(
            _("Period %(subject)s %(year)s already exists.") % {"subject": source.subject, "year": year}
        )
    target = Period.objects.create(
        code=code,
        year=year,
        subject=source.subject,
        name=name or source.name.replace(str(source.year), str(year)),
        previous=source,
        phase=Phase.SETUP,
        tie_breakers=list(source.tie_breakers),
        award_from_tier=source.award_from_tier,
        award_max_per_group=source.award_max_per_group,
        award_exclude_demoted=source.award_exclude_demoted,
    )
    Tier.objects.bulk_create(
        Tier(period=target, order=t.order, label=t.label, min_index=t.min_index) for t in source.tiers.all()
    )
    copies: dict[int, Criterion] = {}
    # Parents sort before their children (sort_key), so each parent is copied first.
    for criterion in source.criteria.order_by("sort_key").prefetch_related("groups"):
        copy = Criterion.objects.create(
            period=target,
            parent=copies.get(criterion.parent_id),
            code=criterion.code,
            title=criterion.title,
            max_points=criterion.max_points,
            method=criterion.method,
            step=criterion.step,
            options=criterion.options,
            allow_not_arising=criterion.allow_not_arising,
            evidence_required=criterion.evidence_required,
            guidance=criterion.guidance,
        )
        copy.groups.set(criterion.groups.all())
        copies[criterion.id] = copy
    survey_copy(source=source, target=target, criteria=copies)
    return target


def survey_copy(*, source: Period, target: Period, criteria: dict[int, Criterion]) -> None:
    """The survey's set-up of `source` (respondent groups, answer scales, questions) for `target`,
    whose criteria `criteria` maps from the source's ids. Invitations and responses stay."""
    groups = {
        group.pk: RespondentGroup.objects.create(
            period=target,
            code=group.code,
            name=group.name,
            weight=group.weight,
            quota=group.quota,
            order=group.order,
            introduction=group.introduction,
        )
        for group in RespondentGroup.objects.filter(period=source)
    }
    scales = {
        scale.pk: SurveyScale.objects.create(
            period=target, code=scale.code, name=scale.name, kind=scale.kind, options=scale.options
        )
        for scale in SurveyScale.objects.filter(period=source)
    }
    for question in SurveyQuestion.objects.filter(period=source).prefetch_related("groups"):
        copy = SurveyQuestion.objects.create(
            period=target,
            code=question.code,
            text=question.text,
            order=question.order,
            criterion=criteria[question.criterion_id],
            scale=scales[question.scale_id],
        )
        copy.groups.set([groups[group.pk] for group in question.groups.all()])
