"""`mdmhub keys` and the audit trail of command-line writes."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from mdmhub.db.base import utcnow
from mdmhub.db.models import ApiKey, AuditEntry
from mdmhub.db.session import transaction
from mdmhub.domain.actors import Role
from mdmhub.errors import UnauthenticatedError
from mdmhub.services import api_keys
from mdmhub.settings import Settings
from tests.cli.conftest import Run


def _create(mdmhub: Run, *args: str) -> str:
    result = mdmhub("keys", "create", *args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _keys(settings: Settings) -> dict[str, ApiKey]:
    with transaction(settings.database_url) as session:
        return {key.id: key for key in session.scalars(select(ApiKey))}


def test_create_prints_the_key_alone_on_stdout(mdmhub: Run, settings: Settings) -> None:
    key = _create(mdmhub, "--role", "source", "--source", "crm", "--name", "crm sync")

    assert re.fullmatch(r"mdm_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", key)
    with transaction(settings.database_url) as session:
        actor = api_keys.authenticate(session, key, utcnow())
    assert (actor.role, actor.source, actor.name) == (Role.SOURCE, "crm", "crm sync")


def test_an_agent_key_may_see_sensitive_values(mdmhub: Run, settings: Settings) -> None:
    key = _create(mdmhub, "--role", "agent", "--sees-sensitive")

    assert _keys(settings)[key.split("_")[1]].sees_sensitive


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "source"], "a source key needs the source it writes for"),
        (["--role", "source", "--source", "erp"], "unknown source 'erp'"),
        (["--role", "steward", "--source", "crm"], "only source keys are bound to a source"),
    ],
)
def test_a_source_is_required_for_source_keys_and_refused_for_others(
    mdmhub: Run, settings: Settings, args: list[str], message: str
) -> None:
    result = mdmhub("keys", "create", *args)

    assert result.exit_code == 2
    assert message in result.output
    assert _keys(settings) == {}


def test_list_shows_every_key_and_no_secret(mdmhub: Run) -> None:
    key = _create(mdmhub, "--role", "admin", "--name", "ops")

    result = mdmhub("keys", "list")

    assert result.exit_code == 0
    assert key.split("_")[1] in result.stdout
    assert "ops" in result.stdout
    assert key.split("_", 2)[2] not in result.stdout


def test_revoke_stops_a_key(mdmhub: Run, settings: Settings) -> None:
    key = _create(mdmhub, "--role", "steward")

    result = mdmhub("keys", "revoke", key.split("_")[1])

    assert result.exit_code == 0
    assert _keys(settings)[key.split("_")[1]].revoked_at is not None
    with (
        pytest.raises(UnauthenticatedError, match="was revoked"),
        transaction(settings.database_url) as session,
    ):
        api_keys.authenticate(session, key, utcnow())


def test_revoking_an_unknown_key_fails(mdmhub: Run) -> None:
    result = mdmhub("keys", "revoke", "0000000000000000")

    assert result.exit_code == 2
    assert "no API key 0000000000000000" in result.output


def test_command_line_writes_are_audited_as_the_system(
    mdmhub: Run, settings: Settings, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,given_name,family_name\n1,Ana,Ruiz\n2,Luis,Sanz\n")
    key = _create(mdmhub, "--role", "agent")
    assert mdmhub("load", str(people), "--source", "crm", "--entity", "customer").exit_code == 0
    assert mdmhub("keys", "revoke", key.split("_")[1]).exit_code == 0

    with transaction(settings.database_url) as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))

    assert [(e.action, e.actor, e.api_key_id) for e in entries] == [
        ("sources.add", "system", None),
        ("keys.create", "system", None),
        ("records.upsert", "system", None),
        ("keys.revoke", "system", None),
    ]
    assert entries[2].detail["outcomes"] == {"created": 2}
