"""A backup restores every score and every evidence file."""

import json
import stat
import tarfile
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from ranking.models import Evidence, Score
from tests.factories import AssessmentFactory, CriterionFactory, ScoreFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


def scores_now() -> list[tuple]:
    return sorted(
        Score.objects.values_list(
            "assessment__agency__code", "criterion__code", "self_score", "final_score", "note"
        )
    )


def test_restore_brings_back_every_score_and_evidence_file(tmp_path, media):
    assessment = AssessmentFactory(agency__code="SNV")
    leaves = [CriterionFactory(period=assessment.period, code=f"1.{n}") for n in range(1, 6)]
    for n, leaf in enumerate(leaves, start=1):
        ScoreFactory(
            assessment=assessment,
            criterion=leaf,
            self_score=Decimal(n) / 4,
            final_score=Decimal(n),
            note=f"Ghi chú {n}",
        )
    evidence = Evidence(
        score=Score.objects.get(criterion=leaves[0]),
        original_name="bao-cao.pdf",
        content_type="application/pdf",
        size=15,
    )
    evidence.file.save("evidence.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    stored = media / evidence.file.name
    before = scores_now()
    assert len(before) == 5 and stored.read_bytes() == b"%PDF-1.4\n%%EOF\n"

    archive = tmp_path / "sao-luu.tar.gz"
    call_command("backup", str(archive), stdout=StringIO())
    with tarfile.open(archive) as opened:
        assert sorted(opened.getnames())[:2] == ["database.dump", "manifest.json"]
        manifest = json.load(opened.extractfile("manifest.json"))
    assert manifest["counts"] == {"periods": 1, "assessments": 1, "scores": 5, "evidence": 1}

    # Things go wrong after the backup: scores changed and deleted, the file lost.
    Score.objects.filter(criterion__code="1.1").update(final_score=Decimal(0), note="sai")
    Score.objects.filter(criterion__code="1.5").delete()
    stored.unlink()
    assert scores_now() != before

    call_command("restore", str(archive), stdout=StringIO())
    assert scores_now() == before
    assert Evidence.objects.get().file.name == evidence.file.name
    assert stored.read_bytes() == b"%PDF-1.4\n%%EOF\n"


def test_a_backup_is_readable_by_its_owner_only(tmp_path, media):
    AssessmentFactory(agency__code="SNV")
    archive = tmp_path / "sao-luu" / "moi" / "sao-luu.tar.gz"
    call_command("backup", str(archive), stdout=StringIO())
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700

    # Written again over a file another tool left readable to all.
    archive.chmod(0o644)
    call_command("backup", str(archive), stdout=StringIO())
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as opened:
        assert sorted(opened.getnames())[:2] == ["database.dump", "manifest.json"]
