"""The admin's pages for people and for Django's groups of permissions, in the reader's language.

Django stores a permission's name in English ("Can add period") when the tables are created; both
the user's and the group's permission lists name them from the models' translated names.
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    return user


def options(html: str, field: str) -> dict[str, str]:
    """The choices of a multiple select: value → label."""
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select))


def period_permission(action: str) -> str:
    return str(Permission.objects.get(content_type__app_label="ranking", codename=f"{action}_period").pk)


@pytest.mark.parametrize("path", ["/admin/auth/group/add/", "/admin/accounts/user/{user}/change/"])
def test_permissions_are_named_in_vietnamese(client, administrator, path):
    response = client.get(path.format(user=administrator.pk))

    assert response.status_code == 200
    html = response.content.decode()
    field = "permissions" if "group" in path else "user_permissions"
    labels = options(html, field)
    assert labels[period_permission("add")] == "Đánh giá và xếp hạng | Kỳ đánh giá | Thêm kỳ đánh giá"
    assert labels[period_permission("view")] == "Đánh giá và xếp hạng | Kỳ đánh giá | Xem kỳ đánh giá"
    assert not [label for label in labels.values() if label.split(" | ")[-1].startswith("Can ")]


def test_a_group_of_permissions_is_saved_from_its_page(client, administrator):
    response = client.post(
        "/admin/auth/group/add/", {"name": "Thư ký hội đồng", "permissions": [period_permission("view")]}
    )

    assert response.status_code == 302
    group = Group.objects.get(name="Thư ký hội đồng")
    assert list(group.permissions.values_list("codename", flat=True)) == ["view_period"]
