import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _vietnamese():
    """Every test speaks the users' language unless it switches."""
    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _uncollected_static(settings, tmp_path_factory):
    """Run as a checkout without collectstatic: unhashed references, an empty STATIC_ROOT.

    The production storage needs the manifest that collectstatic writes.
    """
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static_root")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the survey form's POST counter per address lives there."""
    from django.core.cache import cache

    cache.clear()
    yield
