"""The synthetic year: two periods of the same subject, the second comparing with the first.

- `master_workbook`: groups, agencies, the periods, their tiers and criteria (imported untimed);
- `scores_workbook`: the `Diem` sheet alone of one period (what the import figure times); the
  same scores for each period the import is timed into (`Year.import_codes`);
- `previous_year`: the first period's scores written straight into the database, then its
  results computed, approved and published through the services (untimed), so the second
  period's change column has ranks to compare with and the public results page has a period.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

TIERS = [("Rất tốt", 90), ("Tốt", 80), ("Khá", 70), ("Trung bình", 50), ("Yếu", 0)]
FIELDS = 10
PASSWORD = "bench-mat-khau-2030"


@dataclass(frozen=True)
class Year:
    agencies: int
    leaves: int
    groups: int
    seed: int = 2026
    subject: str = "CCHC"
    previous_year: int = 2029
    year: int = 2030
    # Periods the scores sheet is imported into, each once and fresh: `code`, then the years after.
    imports: int = 1

    @property
    def previous_code(self) -> str:
        return f"{self.subject}-{self.previous_year}"

    @property
    def code(self) -> str:
        return f"{self.subject}-{self.year}"

    @property
    def import_codes(self) -> list[str]:
        return [f"{self.subject}-{self.year + i}" for i in range(self.imports)]

    def agency_code(self, number: int) -> str:
        return f"DV{number:05d}"

    def group_code(self, agency_number: int) -> str:
        return f"K{agency_number % self.groups + 1}"

    def leaf_codes(self) -> list[tuple[str, str]]:
        """(code, method) of every leaf: fields 1–9 scored by number (the last leaf of field 9
        a deduction), field 10 a survey. `leaves` in all, spread over the 10 fields."""
        per_field, extra = divmod(self.leaves, FIELDS)
        codes = []
        for f in range(1, FIELDS + 1):
            count = per_field + (1 if f <= extra else 0)
            for leaf in range(1, count + 1):
                if f == FIELDS:
                    method = "survey"
                elif f == FIELDS - 1 and leaf == count:
                    method = "deduction"
                else:
                    method = "number"
                codes.append((f"{f}.{leaf}", method))
        return codes

    def score_values(self, period_code: str):
        """(agency code, leaf code, value) of every score of a period, reproducibly random."""
        rng = random.Random(f"{self.seed}-{period_code}")
        codes = self.leaf_codes()
        for a in range(self.agencies):
            skill = rng.uniform(0.55, 1.0)
            for code, method in codes:
                if method == "deduction":
                    value = -rng.choice((0, 0, 0, 0.25, 0.5))
                else:
                    value = min(1.0, max(0.0, round(rng.gauss(skill, 0.15) * 4) / 4))
                yield self.agency_code(a), code, value


def _sheet(book: Workbook, name: str, header: list, rows) -> None:
    ws = book.create_sheet(name)
    ws.append(header)
    for row in rows:
        ws.append(row)


def master_workbook(path: Path, year: Year) -> None:
    """Groups, agencies, the periods with their tiers and criteria: no scores."""
    book = Workbook(write_only=True)
    _sheet(
        book,
        "Khoi",
        ["Mã khối", "Tên khối", "Thứ tự"],
        ([f"K{g}", f"Khối {g}", g] for g in range(1, year.groups + 1)),
    )
    _sheet(
        book,
        "DonVi",
        ["Mã đơn vị", "Tên đơn vị", "Mã khối"],
        ([year.agency_code(a), f"Đơn vị {a}", year.group_code(a)] for a in range(year.agencies)),
    )
    _sheet(
        book,
        "KyDanhGia",
        [
            "Mã kỳ",
            "Năm",
            "Lĩnh vực",
            "Tên kỳ",
            "Kỳ trước",
            "Khen thưởng từ xếp loại",
            "Khen thưởng tối đa mỗi khối",
        ],
        [
            [year.previous_code, year.previous_year, year.subject, year.previous_code, None, "Rất tốt", 10],
            *(
                [code, year.year + i, year.subject, code, year.previous_code, "Rất tốt", 10]
                for i, code in enumerate(year.import_codes)
            ),
        ],
    )
    _sheet(
        book,
        "XepLoai",
        ["Mã kỳ", "Thứ tự", "Xếp loại", "Chỉ số tối thiểu"],
        (
            [code, i, label, bound]
            for code in (year.previous_code, *year.import_codes)
            for i, (label, bound) in enumerate(TIERS, start=1)
        ),
    )
    criteria = []
    for code in (year.previous_code, *year.import_codes):
        for f in range(1, FIELDS + 1):
            criteria.append([code, str(f), f"Lĩnh vực {f}", None, None])
        for leaf, method in year.leaf_codes():
            criteria.append([code, leaf, f"Tiêu chí {leaf}", 1, method])
    _sheet(book, "TieuChi", ["Mã kỳ", "Mã tiêu chí", "Nội dung", "Điểm tối đa", "Phương thức"], criteria)
    book.save(path)


def scores_workbook(path: Path, year: Year, code: str) -> int:
    """The `Diem` sheet of period `code` alone, with the scores of the second period; returns
    its number of data rows."""
    book = Workbook(write_only=True)
    rows = 0

    def scores():
        nonlocal rows
        for agency, leaf, value in year.score_values(year.code):
            rows += 1
            yield [code, agency, leaf, value, value]

    _sheet(
        book,
        "Diem",
        ["Mã kỳ", "Mã đơn vị", "Mã tiêu chí", "Điểm tự đánh giá", "Điểm thẩm định"],
        scores(),
    )
    book.save(path)
    return rows


def people(year: Year, *, officers: int):
    """A council member, and `officers` agency officers each of a different agency."""
    from accounts.models import Agency, Role, User

    council = User(username="bench-council", role=Role.COUNCIL, email="council@bench.invalid")
    council.set_password(PASSWORD)
    council.save()
    agencies = list(Agency.objects.order_by("code")[:officers])
    made = []
    for agency in agencies:
        user = User(
            username=f"bench-{agency.code.lower()}",
            role=Role.OFFICER,
            agency=agency,
            email=f"{agency.code.lower()}@bench.invalid",
        )
        user.set_password(PASSWORD)
        made.append(user)
    User.objects.bulk_create(made)
    return council, list(User.objects.filter(role=Role.OFFICER).select_related("agency").order_by("username"))


def previous_year(year: Year, *, council) -> None:
    """The first period, scored in bulk and published through the services (untimed)."""
    from accounts.models import Agency
    from ranking.enums import Phase
    from ranking.models import Assessment, Criterion, Period, Score
    from ranking.results.finalization import (
        period_phase_set,
        period_publish,
        results_approve,
        results_compute_by,
    )

    period = Period.objects.get(code=year.previous_code)
    agencies = {a.code: a for a in Agency.objects.all()}
    Assessment.objects.bulk_create(
        Assessment(period=period, agency=a, group_id=a.group_id) for a in agencies.values()
    )
    assessments = {
        a.agency.code: a.id for a in Assessment.objects.filter(period=period).select_related("agency")
    }
    criteria = {c.code: c.id for c in Criterion.objects.filter(period=period)}
    batch = []
    for agency, leaf, value in year.score_values(year.previous_code):
        number = Decimal(str(value))
        batch.append(
            Score(
                assessment_id=assessments[agency],
                criterion_id=criteria[leaf],
                self_score=number,
                reviewed_score=number,
                final_score=number,
            )
        )
        if len(batch) >= 5000:
            Score.objects.bulk_create(batch)
            batch.clear()
    Score.objects.bulk_create(batch)
    period_phase_set(user=council, period=period, phase=Phase.FINALIZATION)
    period.refresh_from_db()
    results_compute_by(user=council, period=period)
    period.refresh_from_db()
    results_approve(user=council, period=period)
    period.refresh_from_db()
    period_publish(user=council, period=period)


def large_period(year: Year, *, agencies: int, code: str | None = None):
    """A period of `agencies` agencies × the year's leaves, every leaf scored, for timing
    `compute_results` alone (untimed, written in bulk): the criteria, tiers and previous period
    of `year.code` copied, agencies added beyond the year's (`DX…`, in the same groups), one assessment
    each and the scores written by `ranking.bulk` (COPY on PostgreSQL), without history.
    Returns the period."""
    from accounts.models import Agency, AgencyGroup
    from ranking.bulk import bulk_insert_values
    from ranking.models import Assessment, Criterion, Period, Score, Tier

    source = Period.objects.get(code=year.code)
    period = Period.objects.get(pk=source.pk)
    new_year = year.year + year.imports + 10
    period.pk = None
    period.code = code or f"{year.subject}-{new_year}"
    period.year = new_year
    period.name = period.code
    period.results_computed_at = None
    period.results_fingerprint = ""
    period.save()
    Tier.objects.bulk_create(
        Tier(period=period, **{f: getattr(t, f) for f in ("order", "label", "min_index")})
        for t in Tier.objects.filter(period=source)
    )
    copies: dict[int, Criterion] = {}
    for criterion in Criterion.objects.filter(period=source).order_by("sort_key"):
        old_id, groups = criterion.pk, list(criterion.groups.all())
        criterion.pk = None
        criterion.period = period
        criterion.parent = copies[criterion.parent_id] if criterion.parent_id else None
        criterion.save()
        if groups:
            criterion.groups.set(groups)
        copies[old_id] = criterion

    groups = {g.code: g.id for g in AgencyGroup.objects.all()}
    known = Agency.objects.count()
    Agency.objects.bulk_create(
        (
            Agency(code=f"DX{n:06d}", name=f"Đơn vị lớn {n}", group_id=groups[year.group_code(n)])
            for n in range(known, agencies)
        ),
        batch_size=2000,
    )
    chosen = list(Agency.objects.order_by("code").values_list("id", "group_id")[:agencies])
    bulk_insert_values(
        Assessment, ("period_id", "agency_id", "group_id"), [(period.id, a, g) for a, g in chosen]
    )
    assessment_ids = list(Assessment.objects.filter(period=period).values_list("id", flat=True))
    leaves = list(
        Criterion.objects.filter(period=period, children__isnull=True)
        .order_by("sort_key")
        .values_list("id", "method")
    )
    rng = random.Random(f"{year.seed}-{period.code}")
    quarters = [Decimal(n) / 4 for n in range(5)]
    deductions = [Decimal(0), Decimal(0), Decimal(0), Decimal("-0.25"), Decimal("-0.5")]
    names = ("assessment_id", "criterion_id", "self_score", "reviewed_score", "final_score")
    rows = []
    for assessment_id in assessment_ids:
        skill = rng.uniform(0.55, 1.0)
        for leaf_id, method in leaves:
            if method == "deduction":
                value = rng.choice(deductions)
            else:
                value = quarters[min(4, max(0, round(rng.gauss(skill, 0.15) * 4)))]
            rows.append((assessment_id, leaf_id, value, value, value))
        if len(rows) >= 100_000:
            bulk_insert_values(Score, names, rows)
            rows = []
    bulk_insert_values(Score, names, rows)
    return period
