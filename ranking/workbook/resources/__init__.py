"""The year workbook's sheets: one django-import-export resource per sheet, one module
per sheet, and `base` for what they share.

Each resource reads its sheet's exact Vietnamese headers, checks every cell and reports
problems per column in the user's language, so the same file imports through the admin
site (with its preview) and through `import_workbook`. Lookups are loaded once per sheet
(`before_import`), never once per row.
"""

from ranking.workbook.resources.agencies import AgencyResource
from ranking.workbook.resources.base import ARISES, FLAG_TRUE, Cells, SheetResource
from ranking.workbook.resources.criteria import CriterionResource, parse_options
from ranking.workbook.resources.demotions import DemotionResource
from ranking.workbook.resources.groups import GroupResource
from ranking.workbook.resources.period_groups import PeriodGroupResource
from ranking.workbook.resources.periods import PeriodResource
from ranking.workbook.resources.results import HistoricalResultResource
from ranking.workbook.resources.scores import REVIEWER_NOT_ARISING, ScoreResource
from ranking.workbook.resources.standings import StandingResource
from ranking.workbook.resources.surveys import PaperAnswerResource
from ranking.workbook.resources.tiers import TierResource

__all__ = [
    "ARISES",
    "FLAG_TRUE",
    "REVIEWER_NOT_ARISING",
    "SHEET_RESOURCES",
    "AgencyResource",
    "Cells",
    "CriterionResource",
    "DemotionResource",
    "GroupResource",
    "HistoricalResultResource",
    "PaperAnswerResource",
    "PeriodGroupResource",
    "PeriodResource",
    "ScoreResource",
    "SheetResource",
    "StandingResource",
    "TierResource",
    "parse_options",
    "sheet_columns",
]

# The order `import_workbook` follows: each sheet may refer to the ones before it.
SHEET_RESOURCES: tuple[type[SheetResource], ...] = (
    GroupResource,
    AgencyResource,
    PeriodResource,
    TierResource,
    CriterionResource,
    # Before the scores: which leaves an agency may score depends on its group in the period.
    PeriodGroupResource,
    ScoreResource,
    StandingResource,
    DemotionResource,
    HistoricalResultResource,
    PaperAnswerResource,
)


def sheet_columns(resource_class: type[SheetResource]) -> list[str]:
    return [field.column_name for field in resource_class().get_export_fields()]
