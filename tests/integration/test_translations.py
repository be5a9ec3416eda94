"""The Vietnamese catalogue covers every string the application shows."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

CATALOGUE = settings.BASE_DIR / "locale" / "vi" / "LC_MESSAGES" / "django.po"
SOURCES = ["accounts", "config", "ranking", "templates"]


def entries(path: Path) -> dict[str, polib.POEntry]:
    return {entry.msgid: entry for entry in polib.pofile(str(path)) if not entry.obsolete}


@pytest.fixture
def extracted(tmp_path, settings) -> dict[str, polib.POEntry]:
    """Every msgid in the code and templates today, extracted as makemessages does.

    Extraction runs on a copy of the sources, so the real catalogue is never touched.
    """
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed to check the catalogue: apt-get install gettext")
    source = tmp_path / "src"
    for name in SOURCES:
        shutil.copytree(settings.BASE_DIR / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    (source / "locale").mkdir()
    settings.LOCALE_PATHS = [source / "locale"]
    cwd = os.getcwd()
    os.chdir(source)
    try:
        call_command("makemessages", locale=["vi"], verbosity=0)
    finally:
        os.chdir(cwd)
    return entries(source / "locale" / "vi" / "LC_MESSAGES" / "django.po")


def test_every_visible_string_has_a_vietnamese_translation(extracted):
    catalogue = entries(CATALOGUE)
    missing = sorted(msgid for msgid in extracted if msgid not in catalogue)
    assert missing == [], "run makemessages -l vi and translate these"
    untranslated = sorted(
        entry.msgid
        for msgid, entry in catalogue.items()
        if msgid in extracted and (not entry.translated() or "fuzzy" in entry.flags)
    )
    assert untranslated == []


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(CATALOGUE)):
        if not entry.msgstr or "fuzzy" in entry.flags:
            continue
        for token in ("%(", "%s", "%d"):
            assert entry.msgid.count(token) == entry.msgstr.count(token), entry.msgid
