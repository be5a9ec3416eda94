"""Permissions named in the reader's language.

Django stores a permission's name in English when the tables are created ("Can add agency"),
so the user form would list them in English; they are named here from the model's translated
name instead.
"""

from django.contrib.auth.models import Permission
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

ACTIONS = {
    "add": gettext_noop("Add %(model)s"),
    "change": gettext_noop("Change %(model)s"),
    "delete": gettext_noop("Delete %(model)s"),
    "view": gettext_noop("View %(model)s"),
}


def permission_label(permission: Permission) -> str:
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    opts = model._meta
    # django-simple-history's models of past versions are named "historical …" in English.
    original = getattr(model, "instance_type", None) if opts.model_name.startswith("historical") else None
    name = (
        gettext("history of %(model)s") % {"model": original._meta.verbose_name}
        if original is not None
        else str(opts.verbose_name)
    )
    action, _sep, rest = permission.codename.partition("_")
    if action in ACTIONS and rest == opts.model_name:
        what = gettext(ACTIONS[action]) % {"model": name}
    else:
        what = str(dict(opts.permissions).get(permission.codename, permission.name))
    # Some libraries name their app in plain text; the catalogue may still translate it.
    app = gettext(str(opts.app_config.verbose_name))
    return f"{capfirst(app)} | {capfirst(name)} | {what}"
