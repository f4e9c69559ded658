"""The `laurel` command: database, deploy, audit, timers and the server."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from engine import anchoring, audit
from engine.anchoring import AnchorFile
from engine.clock import SystemClock
from engine.db import create_db_engine, make_session_factory
from engine.errors import DefinitionRejected
from engine.worker import TimerWorker
from engine.xmlsafety import check_size
from web import anchors as anchor_text
from web.i18n import say, speaking
from web.settings import Settings
from web.transfers import MAX_SERVER_BODY, storage_for
from workflows import deployment
from workflows.calendar import TIMEZONE
from workflows.demo import LOGINS as DEMO_LOGINS
from workflows.demo import PASSWORD as DEMO_PASSWORD
from workflows.demo import install
from workflows.files import attachments
from workflows.pipeline import build_engine
from workflows.schema import migrate
from workflows.seed import SeedError, load_seed_file


def _db() -> Engine:
    return create_db_engine(Settings.from_env().database_url)


@click.group()
def main() -> None:
    """Laurel: award-nomination approval as BPMN processes."""


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    migrate(_db())
    click.echo("Database is up to date.")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--key", help="Definition key (default: the id of the BPMN's main process).")
@click.option("--comment", default="", help="What changed, for the version list.")
@click.option(
    "--as",
    "deployed_by",
    default=getpass.getuser,
    help="Who deploys, for the audit log (default: your account). A registered person must "
    "hold the admin role at a root of the organisation tree, as on the web.",
)
def deploy(files: tuple[str, ...], key: str | None, comment: str, deployed_by: str) -> None:
    """Validate FILE.bpmn [FILE.dmn ...] and store them as a new version.

    The same deploy as the API's and the modeler's (workflows.deployment): the same checks,
    the forms of user tasks included."""
    try:
        contents = {}
        for name in files:
            path = Path(name)
            check_size(path)
            contents[path.name] = path.read_bytes()
        settings = Settings.from_env()
        # Wired as the server's engine: a deploy anchors the audit chain there too.
        engine = build_engine(make_session_factory(_db()), anchors=AnchorFile(settings.anchor_path))
        with engine.sessions() as session:
            by = deployment.deployer(session, deployed_by)
        result = deployment.deploy(engine, by, contents, key=key, comment=comment)
        version = result.version
        if not result.created:
            click.echo(
                f"Unchanged: {version.key} version {version.version} already has this content."
            )
            return
        click.echo(
            f"Deployed {version.key} version {version.version}\n"
            f"  process  {version.process_id}\n"
            f"  sha256   {version.sha256}\n"
            f"  by       {version.deployed_by}\n"
            f"  at       {version.deployed_at.isoformat()}"
        )
    except deployment.DeployNotAllowed as exc:
        with speaking("en"):  # the terminal speaks English, as the rest of this command
            click.echo(f"Refused: {say(exc.message)}", err=True)
        sys.exit(1)
    except DefinitionRejected as exc:
        click.echo(f"Refused: {len(exc.problems)} problem(s), nothing was stored.", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)


@main.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def seed(files: tuple[Path, ...]) -> None:
    """Load organisations, users, campaigns, awards and rules from FILE.yaml [FILE.yaml ...].

    All files go in one transaction: on any error nothing is stored.
    """
    sessions = make_session_factory(_db())
    with sessions.begin() as session:
        for path in files:
            try:
                report = load_seed_file(session, path)
            except SeedError as exc:
                click.echo(f"{path}: {len(exc.errors)} error(s), nothing was stored.", err=True)
                for line, message in exc.errors:
                    click.echo(f"{path}: line {line}: {message}", err=True)
                sys.exit(1)  # leaving the block rolls back the files loaded before this one
            click.echo(str(path))
            for counts in report.lines():
                click.echo(f"  {counts}")


@main.group("audit")
def audit_group() -> None:
    """The audit chain."""


def _anchor_file() -> AnchorFile:
    """The anchor file of the settings (LAUREL_ANCHOR_FILE)."""
    return AnchorFile(Settings.from_env().anchor_path)


@audit_group.command("verify")
@click.option(
    "--anchors",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Another file of anchors the chain must extend too (a copy kept elsewhere, say).",
)
def audit_verify(anchors: Path | None) -> None:
    """Check every link of the audit chain, and that it extends every anchor of the anchor
    file (LAUREL_ANCHOR_FILE) and of --anchors FILE; say how old the newest anchor is."""
    extra: list[audit.Anchor] = []
    if anchors is not None:
        if not anchors.exists():
            raise click.BadParameter(f"no such file: {anchors}", param_hint="--anchors")
        extra, bad = AnchorFile(anchors).read()
        if bad:
            raise click.BadParameter(
                f"{anchors}: line {bad[0]} is not an anchor", param_hint="--anchors"
            )
    with _db().connect() as connection:
        checked = anchoring.check(connection, _anchor_file(), SystemClock().now(), extra)
    result = checked.result
    click.echo(
        f"Checked {result.checked} events against {checked.anchors} anchor(s); "
        f"head {result.head_hash}"
    )
    for lang in ("vi", "en"):  # an operator's terminal has no language to follow
        for line in (anchor_text.newest(checked, lang), anchor_text.warning(checked, lang)):
            if line:
                click.echo(line, err=line.startswith(("Cảnh báo", "Warning")))
    if checked.ok:
        click.echo("OK")
        return
    if not result.ok:
        click.echo(
            f"BROKEN at event {result.broken_seq}: {anchor_text.problem(result, 'en')}", err=True
        )
        click.echo(
            f"Bị phá vỡ tại sự kiện số {result.broken_seq}: {anchor_text.problem(result, 'vi')}",
            err=True,
        )
    if checked.bad_lines:
        click.echo(anchor_text.damaged(checked, "en"), err=True)
        click.echo(anchor_text.damaged(checked, "vi"), err=True)
    sys.exit(1)


@audit_group.command("anchor")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append the anchor to this file instead (default: LAUREL_ANCHOR_FILE).",
)
def audit_anchor(out: Path | None) -> None:
    """Record the chain head with the time now, to check later that the chain still extends
    it. The server does this by itself after each deploy and every few minutes."""
    with _db().connect() as connection:
        anchor = audit.head(connection, SystemClock().now())
    (AnchorFile(out) if out is not None else _anchor_file()).append(anchor)
    click.echo(anchor.to_json())


@main.group("files")
def files_group() -> None:
    """A dossier's files (docs/files.md)."""


@files_group.command("verify")
def files_verify() -> None:
    """Read every attached file back from the file store (LAUREL_FILE_STORE) and check that
    it still hashes to its digest, and that the audit event that added it names that digest."""
    with Session(_db()) as session:
        checked, problems = attachments.verify(session, storage_for(Settings.from_env()))
    for p in problems:
        click.echo(f"file {p.file_id} (nomination {p.nomination_id}, {p.sha256}): {p.problem}")
    if problems:
        raise SystemExit(f"{len(problems)} of {checked} files do not hold.")
    click.echo(f"{checked} files checked: each is stored as it was added.")


@main.command()
def demo() -> None:
    """Install the demo: seeds, the pipeline, and nominations at several stages."""
    made = install(make_session_factory(_db()), SystemClock().now())
    if made:
        click.echo("Hồ sơ mẫu (demo nominations):")
        for line in made:
            click.echo(f"  - {line}")
    click.echo(f"Tài khoản mẫu (demo logins), mật khẩu / password: {DEMO_PASSWORD}")
    for username, who in DEMO_LOGINS:
        click.echo(f"  {username:<18} {who}")


@main.group()
def timers() -> None:
    """Process timers (publicity windows, deadlines)."""


@timers.command("run")
@click.option(
    "--as-of",
    "as_of",
    metavar="ISO-DATETIME",
    help="Fire what is due at this time (default now; local time if no offset is given).",
)
def timers_run(as_of: str | None) -> None:
    """Fire every timer due now, or at --as-of (a future time only in demo or test mode)."""
    settings = Settings.from_env()
    now = SystemClock().now()
    when = now
    if as_of:
        try:
            when = datetime.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter(
                f"not an ISO date-time: {as_of!r}", param_hint="--as-of"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=TIMEZONE)
        if when > now and not settings.allows_time_travel:
            click.echo(
                "Refused: --as-of in the future fires timers early; it is allowed only "
                "with LAUREL_MODE=demo or test.",
                err=True,
            )
            sys.exit(2)
    engine = build_engine(make_session_factory(_db()))
    fired = total = engine.fire_due_timers(as_of=when)
    while fired:
        fired = engine.fire_due_timers(as_of=when)
        total += fired
    click.echo(f"Fired the due timers of {total} instance(s) as of {when.isoformat()}.")
    # Run from cron beside web processes that do not fire timers: anchoring is this run's
    # job then, at the same interval the server keeps.
    worker = TimerWorker(
        engine, anchors=AnchorFile(settings.anchor_path), anchor_every=settings.anchor_interval
    )
    if worker.anchor():
        click.echo(f"Anchored the audit chain in {settings.anchor_path}.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the web application; due timers fire, and the audit chain is anchored, in this
    process unless LAUREL_TIMERS=off."""
    from waitress import serve as waitress_serve

    from web.app import create_app

    settings = Settings.from_env()
    app = create_app(settings)
    worker = None
    if os.environ.get("LAUREL_TIMERS", "on") != "off":
        worker = TimerWorker(
            app.extensions["laurel.engine"],
            anchors=app.extensions["laurel.anchors"],
            anchor_every=settings.anchor_interval,
        )
        worker.start()
    click.echo(f"Laurel is serving on http://{host}:{port}")
    try:
        waitress_serve(app, host=host, port=port, threads=8, max_request_body_size=MAX_SERVER_BODY)
    finally:
        if worker is not None:
            worker.stop()
