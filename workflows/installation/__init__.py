"""The installation's reference data as admins change it: organisations, people and their
roles, campaigns, the award catalogue with date-effective rules, and the working-day calendar.

The API and the pages both call these functions inside one write transaction; each change is
checked whole before anything is written, and appends its audit event (`admin.*`, with what
changed before and after) in the same transaction, so a refused change stores nothing and a
stored change is always audited.

Scope: an admin manages organisations, people and roles inside the subtrees of the
organisations where they hold `admin`; an admin at the top of a chain (an organisation with no
parent) may also add a new chain. Campaigns, the award catalogue and the calendar are
installation-wide: any admin manages them (campaigns have no organisation of their own).

Refusals carry message codes (inst_* in web/translations) and their parameters; the web layer
words them in the reader's language.
"""

from workflows.installation.awards import (
    add_rule,
    create_award,
    delete_rule,
    rule_values,
    rules_of,
    update_award,
)
from workflows.installation.calendar import (
    YEAR_RANGE,
    CalendarYear,
    add_day,
    calendar_year,
    remove_day,
)
from workflows.installation.campaigns import create_campaign, update_campaign
from workflows.installation.common import ORG_LEVELS, Problem, Refused, Scope, clean, local_today
from workflows.installation.events import ENGINE_ADMIN_ACTIONS, recent_events
from workflows.installation.organisations import create_org, org_tree, update_org
from workflows.installation.people import (
    create_person,
    grant_role,
    people,
    person,
    revoke_role,
    update_person,
)

__all__ = [
    "ENGINE_ADMIN_ACTIONS",
    "ORG_LEVELS",
    "YEAR_RANGE",
    "CalendarYear",
    "Problem",
    "Refused",
    "Scope",
    "add_day",
    "add_rule",
    "calendar_year",
    "clean",
    "create_award",
    "create_campaign",
    "create_org",
    "create_person",
    "delete_rule",
    "grant_role",
    "local_today",
    "org_tree",
    "people",
    "person",
    "recent_events",
    "remove_day",
    "revoke_role",
    "rule_values",
    "rules_of",
    "update_award",
    "update_campaign",
    "update_org",
    "update_person",
]
