"""Who someone is: role predicates shared by every permission of the application."""

import rules

from .models import Role


def has_role(*roles: str):
    @rules.predicate(name=f"has_role:{'|'.join(roles)}")
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.is_active and user.role in roles)

    return predicate


is_officer = has_role(Role.OFFICER)
is_head = has_role(Role.HEAD)
is_agency_member = has_role(Role.OFFICER, Role.HEAD)
is_reviewer = has_role(Role.REVIEWER)
is_council = has_role(Role.COUNCIL)
is_administrator = has_role(Role.ADMIN)
is_viewer = has_role(Role.VIEWER)
