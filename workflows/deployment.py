"""The one way a definition is deployed: the API, the modeler and `laurel deploy` all call
`deploy`, so their checks cannot drift apart again. In order: the deployer's right (admin at
a root of the organisation tree, see workflows.admin_scope; or the operator at the server's
shell), then the engine's deploy with the domain's catalogues — lanes must name our roles,
user tasks our forms — which validates everything before it stores a new immutable version,
audits it and anchors the audit chain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.definitions import DeployResult
from engine.errors import NotAllowed
from engine.runtime import Engine
from workflows.access import Principal, principal
from workflows.admin_scope import national
from workflows.forms import TaskForms
from workflows.models import Person
from workflows.roles import DomainRoles


@dataclass(frozen=True)
class Operator:
    """Whoever runs `laurel deploy` on the server, with its database credentials, named by
    `--as` for the audit log. No role is asked of them: they could write the database
    directly. A name that is a registered person is not an operator (see `deployer`)."""

    username: str


class DeployNotAllowed(NotAllowed):
    """Deploying needs the admin role at a root of the organisation tree."""

    def __init__(self) -> None:
        super().__init__("deploy_root_admin_required")


def deployer(session: Session, username: str) -> Principal | Operator:
    """Who `laurel deploy --as USERNAME` deploys as: a registered person is held to the
    same rule as on the web, so the audit log never names someone as the deployer of a
    version they may not deploy; any other name is the operator's own."""
    if session.get(Person, username) is None:
        return Operator(username)
    who = principal(session, username)  # None: deactivated
    if who is None or not national(session, who):
        raise DeployNotAllowed()
    return who


def may_deploy(session: Session, by: Principal | Operator) -> bool:
    return isinstance(by, Operator) or national(session, by)


def deploy(
    engine: Engine,
    by: Principal | Operator,
    files: Mapping[str, bytes],
    *,
    key: str | None = None,
    comment: str = "",
) -> DeployResult:
    """Deploy `files` as a new version of `key` (default: the main process id).

    Raises DeployNotAllowed (nothing read of the files), DefinitionRejected with every
    problem (nothing stored), or Conflict on a concurrent deploy of the same key."""
    if not isinstance(engine.roles, DomainRoles) or not isinstance(engine.forms, TaskForms):
        # The engine validates with the catalogues it was built with: build_engine's.
        raise TypeError("deploy needs the engine of workflows.pipeline.build_engine")
    if isinstance(by, Principal):
        with engine.sessions() as session:
            if not may_deploy(session, by):
                raise DeployNotAllowed()
    return engine.deploy(files, deployed_by=by.username, key=key, comment=comment)
