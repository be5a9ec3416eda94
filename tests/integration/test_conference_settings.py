"""CONFERENCE_ISSUER and CONFERENCE_PLACE: read from the environment, Đà Nẵng's by default."""

import os
import subprocess
import sys

from django.conf import settings

SHOW = (
    "import django; django.setup(); from django.conf import settings; "
    "print(repr(settings.CONFERENCE_ISSUER)); print(settings.CONFERENCE_PLACE)"
)


def settings_of(**variables) -> list[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONFERENCE_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **variables)
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_with_nothing_set_the_issuer_and_the_place_are_da_nangs():
    assert settings_of() == ["('UBND THÀNH PHỐ ĐÀ NẴNG', 'SỞ NỘI VỤ')", "Đà Nẵng"]


def test_another_city_sets_its_own_lines_separated_by_commas():
    shown = settings_of(CONFERENCE_ISSUER="UBND TỈNH QUẢNG NAM, SỞ NỘI VỤ", CONFERENCE_PLACE="Tam Kỳ")

    assert shown == ["('UBND TỈNH QUẢNG NAM', 'SỞ NỘI VỤ')", "Tam Kỳ"]
