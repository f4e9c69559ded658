"""The words of the reference data, defined once for the seed loader, the admin changes, the
API schemas and the pages: award kinds, vote bases, calendar kinds, the parameters of an award
rule, and what a code (of an organisation, campaign or award) may hold.

Levels, subjects and voting modes sit beside the columns they fill, in workflows.models.
"""

from __future__ import annotations

import re
from typing import Any

AWARD_KINDS = ("thuong_xuyen", "chuyen_de", "dot_xuat", "cong_hien", "nien_han", "doi_ngoai")
VOTE_BASES = ("all_members", "present_members")
CALENDAR_KINDS = ("off", "work")

# Parameters a rule may leave out when an earlier rule of its award is in force. `basis` is
# not among them: a new parameter version must say which text it comes from.
RULE_PARAMS = (
    "deciding_level",
    "vote_threshold",
    "vote_base",
    "publicity_working_days",
    "appraisal_sla_days",
    "vote_sla_days",
    "prerequisites",
    "quota_ratio",
    "documents",
)
RULE_DEFAULTS: dict[str, Any] = {
    "vote_base": "all_members",
    "prerequisites": "[]",
    "documents": "[]",
    "quota_ratio": None,
}

# A code is ASCII letters, digits, '_', '.' and '-': it travels as is in URLs, exports and
# business keys. `^…$` as marshmallow's Regexp (re.match) reads it; `is_code` matches whole.
CODE = re.compile(r"^[A-Za-z0-9_.-]+$")
ORG_CODE_MOST = 50
CAMPAIGN_CODE_MOST = 50
AWARD_CODE_MOST = 30


def is_code(value: str) -> bool:
    """Whether `value` is made only of the characters a code may hold."""
    return CODE.fullmatch(value) is not None
