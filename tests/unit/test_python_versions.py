"""The Pythons the project installs on: every one Django 5.2 supports (issue 9, item 15)."""

import re
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

PYPROJECT = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()


def setting(name: str) -> str:
    """A one-line string setting of pyproject.toml (tomllib arrives only in Python 3.11)."""
    return re.search(rf'^{re.escape(name)} = "([^"]*)"$', PYPROJECT, re.MULTILINE).group(1)


@pytest.mark.parametrize("version", ["3.10.0", "3.11.2", "3.12.1", "3.13.0", "3.13.9"])
def test_every_python_django_5_2_supports_may_install_it(version):
    assert SpecifierSet(setting("requires-python")).contains(version)


@pytest.mark.parametrize("version", ["3.9.18", "3.14.0"])
def test_pythons_django_5_2_does_not_support_are_refused(version):
    assert not SpecifierSet(setting("requires-python")).contains(version)


def test_the_linter_holds_the_code_to_the_oldest_of_them():
    assert setting("target-version") == "py310"
