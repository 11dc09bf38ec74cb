"""``flask --app consult testimonies …``: keys, rotation and the retention purge."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from consult.extensions import db
from consult.responses.models import Consultation
from consult.testimonies import chain, crypto
from consult.testimonies.asked_backfill import fill_missing
from consult.testimonies.rotation import key_usage, rotate_keys
from consult.testimonies.services import purge_expired


@click.group("testimonies")
def testimonies_cli() -> None:
    """Testimony keys, key rotation and retention."""


@testimonies_cli.command("new-key")
@click.argument("key_id")
def new_key_command(key_id: str) -> None:
    """Print a fresh key entry ``KEY_ID:base64`` to put first in CONSULT_TESTIMONY_KEYS."""
    try:
        click.echo(crypto.new_key_spec(key_id))
    except crypto.KeyConfigError as error:
        raise click.ClickException(str(error)) from None


@testimonies_cli.command("key-status")
@with_appcontext
def key_status_command() -> None:
    """How many sealed rows each key id holds."""

    ring = crypto.keyring()
    click.echo(f"current key: {ring.current_id}; keys configured: {', '.join(ring.ids)}")
    for table, usage in key_usage().items():
        listed = ", ".join(f"{key_id}: {count}" for key_id, count in sorted(usage.items())) or "no rows"
        click.echo(f"  {table:<24} {listed}")


@testimonies_cli.command("rotate-keys")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 10_000))
@with_appcontext
def rotate_keys_command(batch_size: int) -> None:
    """Re-encrypt everything under the current key; safe to stop and run again."""

    ring = crypto.keyring()
    click.echo(f"Re-encrypting under key {ring.current_id} in batches of {batch_size}.")
    try:
        report = rotate_keys(batch_size, on_batch=lambda table, n: click.echo(f"  {table}: {n} rows re-encrypted"))
    except crypto.CryptoError as error:
        db.session.rollback()
        raise click.ClickException(
            f"{error}. Rows committed so far stay re-encrypted; fix the key ring and run the command again."
        ) from None
    for table, count in report.resealed.items():
        click.echo(f"{table:<24} re-encrypted: {count}")
    click.echo(f"total re-encrypted: {report.total}")
    if report.is_complete:
        click.echo(f"Every row is under {ring.current_id}. Keys no longer needed: {', '.join(ring.ids[1:]) or 'none'}.")
    else:
        raise click.ClickException(f"rows still under other keys: {report.remaining}")


@testimonies_cli.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete the content of testimonies past their consultation's retention period (run daily)."""

    report = purge_expired()
    click.echo(f"testimonies purged: {report.purged}; expired drafts deleted: {report.drafts_deleted}")


@testimonies_cli.command("fill-asked")
@with_appcontext
def fill_asked_command() -> None:
    """Record the asked set and group of testimonies sent before they were recorded (safe to run again)."""

    filled = 0
    for consultation_id in db.session.scalars(select(Consultation.id).order_by(Consultation.id)).all():
        filled += fill_missing(consultation_id)
        db.session.commit()
    click.echo(f"asked sets recorded: {filled} testimonies.")


@click.group("audit")
def audit_cli() -> None:
    """The tamper-evident audit logs: verify the chains, seal old entries, make a key."""


@audit_cli.command("new-key")
def audit_new_key_command() -> None:
    """Print a fresh value for CONSULT_AUDIT_KEY."""
    click.echo(chain.new_key())


@audit_cli.command("verify")
@with_appcontext
def audit_verify_command() -> None:
    """Walk every audit chain; say OK with the count, or where each one breaks (exit status 1)."""
    try:
        reports = chain.verify_all(db.session)
    except chain.AuditKeyError as error:
        raise click.ClickException(f"{error}. Nothing was verified.") from None
    broken = False
    for report in reports:
        if report.ok:
            click.echo(f"{report.chain}: OK, {report.entries} entries; last hash {report.head_hash}")
        else:
            broken = True
            click.echo(f"{report.chain}: BROKEN ({report.entries} entries walked)")
            for problem in report.problems:
                click.echo(f"  {problem}")
    if broken:
        raise click.ClickException("the audit log has been tampered with or is incomplete (see above)")


@audit_cli.command("seal")
@with_appcontext
def audit_seal_command() -> None:
    """Chain the audit entries written before the chain existed (run once after upgrading; safe to rerun)."""
    try:
        for item in chain.CHAINS.values():
            click.echo(f"{item.name}: {chain.seal_unchained(db.session, item)} entries sealed")
    except chain.AuditKeyError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
