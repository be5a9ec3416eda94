"""factory_boy factories for the domain; each builds a valid object with sensible defaults."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Agency, AgencyGroup, Role, User
from ranking.enums import Method, Phase, Subject
from ranking.models import Assessment, Criterion, Demotion, Period, Score, Tier


class AgencyGroupFactory(DjangoModelFactory):
    class Meta:
        model = AgencyGroup
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"K{n:02d}")
    name = factory.Sequence(lambda n: f"Khối {n}")
    order = factory.Sequence(lambda n: n)


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"DV{n:03d}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    group = factory.SubFactory(AgencyGroupFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn A"
    last_name = "Nguyễn"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.vn")
    role = Role.VIEWER
    password = factory.django.Password("mat-khau-thu-nghiem")


class PeriodFactory(DjangoModelFactory):
    class Meta:
        model = Period
        django_get_or_create = ("code",)

    year = 2025
    subject = Subject.CCHC
    code = factory.LazyAttribute(lambda p: f"{p.subject}-{p.year}")
    name = factory.LazyAttribute(lambda p: f"{p.subject} {p.year}")
    phase = Phase.SELF_ASSESSMENT
    award_from_tier = "Rất tốt"


class TierFactory(DjangoModelFactory):
    class Meta:
        model = Tier

    period = factory.SubFactory(PeriodFactory)
    order = 1
    label = "Rất tốt"
    min_index = Decimal("90")


CCHC_TIERS = [("Rất tốt", "90"), ("Tốt", "80"), ("Khá", "70"), ("Trung bình", "50"), ("Yếu", "0")]


def make_tiers(period: Period, scheme=CCHC_TIERS) -> list[Tier]:
    return [
        Tier.objects.create(period=period, order=i, label=label, min_index=Decimal(bound))
        for i, (label, bound) in enumerate(scheme, start=1)
    ]


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    period = factory.SubFactory(PeriodFactory)
    code = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Tiêu chí {n}")
    max_points = Decimal("10")
    method = Method.NUMBER


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    period = factory.SubFactory(PeriodFactory)
    agency = factory.SubFactory(AgencyFactory)


class ScoreFactory(DjangoModelFactory):
    class Meta:
        model = Score

    assessment = factory.SubFactory(AssessmentFactory)
    criterion = factory.SubFactory(CriterionFactory)


class DemotionFactory(DjangoModelFactory):
    class Meta:
        model = Demotion

    period = factory.SubFactory(PeriodFactory)
    agency = factory.SubFactory(AgencyFactory)
    steps = 1
    reason = "Vi phạm kỷ luật của người đứng đầu"
