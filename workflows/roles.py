"""The roles a person can hold at an organisation (domain.md §1)."""

from __future__ import annotations

from collections.abc import Collection

ROLES: dict[str, str] = {
    "proposer": "Cán bộ phụ trách thi đua của đơn vị",
    "secretary": "Thường trực / thư ký Hội đồng Thi đua - Khen thưởng",
    "council": "Thành viên Hội đồng Thi đua - Khen thưởng",
    "head": "Thủ trưởng / chủ tịch (người có thẩm quyền)",
    "admin": "Quản trị hệ thống",
    "auditor": "Thanh tra / kiểm tra, giám sát",
}

# Roles a user-task lane may name: admins and auditors never work tasks in the pipeline.
LANE_ROLES = ("proposer", "secretary", "council", "head")


class DomainRoles:
    """The engine's RoleCatalog for the nomination domain."""

    def known_roles(self) -> Collection[str]:
        return LANE_ROLES
