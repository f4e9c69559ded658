"""The roles a person can hold at an organisation (domain.md §1)."""

from __future__ import annotations

from collections.abc import Collection

# Their names are the messages `role_proposer`…
ROLES = ("proposer", "secretary", "council", "head", "admin", "auditor")

# Roles a user-task lane may name: admins and auditors never work tasks in the pipeline.
LANE_ROLES = ("proposer", "secretary", "council", "head")


class DomainRoles:
    """The engine's RoleCatalog for the nomination domain."""

    def known_roles(self) -> Collection[str]:
        return LANE_ROLES
