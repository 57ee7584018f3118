from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mdmhub.db.models import ApiKey, AuditEntry
from mdmhub.db.session import transaction
from mdmhub.domain.actors import SYSTEM, Actor, Role
from mdmhub.errors import ConflictError, InvalidInputError, UnauthenticatedError
from mdmhub.services import api_keys
from mdmhub.settings import Settings

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
BOOTSTRAP = "mdm_0123456789abcdef_bootstrap-secret-bootstrap-secret"


def _create(
    hub: Settings,
    role: Role = Role.AGENT,
    source: str | None = None,
    *,
    name: str = "",
    sees_sensitive: bool = False,
) -> str:
    with transaction(hub.database_url) as session:
        issued = api_keys.create(
            session, SYSTEM, role=role, source=source, name=name, sees_sensitive=sees_sensitive
        )
        return issued.token


def _id(token: str) -> str:
    return token.split("_")[1]


def _authenticate(hub: Settings, token: str, now: datetime = T0) -> Actor:
    with transaction(hub.database_url) as session:
        return api_keys.authenticate(session, token, now)


def _stored(hub: Settings) -> list[ApiKey]:
    with transaction(hub.database_url) as session:
        return list(session.scalars(select(ApiKey)))


class TestCreate:
    def test_only_a_hash_of_the_secret_is_stored(self, hub: Settings) -> None:
        token = _create(hub, Role.SOURCE, "crm", name="crm sync")
        secret = token.split("_", 2)[2]

        with transaction(hub.database_url) as session:
            rows = [*session.scalars(select(ApiKey)), *session.scalars(select(AuditEntry))]

        stored = " ".join(str(vars(row)) for row in rows)
        assert secret not in stored
        assert _id(token) in stored

    def test_the_actor_carries_role_source_name_and_sensitivity(self, hub: Settings) -> None:
        agent = _create(hub, name="desk 4", sees_sensitive=True)
        source = _create(hub, Role.SOURCE, "shop")

        assert _authenticate(hub, agent) == Actor(
            "desk 4", Role.AGENT, _id(agent), None, sees_sensitive=True
        )
        source_actor = _authenticate(hub, source)
        assert (source_actor.role, source_actor.source, source_actor.name) == (
            Role.SOURCE,
            "shop",
            _id(source),
        )


class TestAuthenticate:
    def test_a_wrong_secret_for_a_known_id_is_an_unknown_key(self, hub: Settings) -> None:
        token = _create(hub)
        forged = f"mdm_{_id(token)}_{'x' * 43}"

        with pytest.raises(UnauthenticatedError, match=r"^unknown API key$"):
            _authenticate(hub, forged)

    def test_a_revoked_key_no_longer_authenticates(self, hub: Settings) -> None:
        token = _create(hub)
        with transaction(hub.database_url) as session:
            api_keys.revoke(session, SYSTEM, _id(token))

        with pytest.raises(UnauthenticatedError, match="was revoked"):
            _authenticate(hub, token)

    def test_last_used_is_written_at_most_once_a_minute(self, hub: Settings) -> None:
        token = _create(hub)

        _authenticate(hub, token, T0)
        _authenticate(hub, token, T0 + timedelta(seconds=59))
        assert _stored(hub)[0].last_used_at == T0

        _authenticate(hub, token, T0 + timedelta(seconds=61))
        assert _stored(hub)[0].last_used_at == T0 + timedelta(seconds=61)


def test_revoking_twice_is_audited_once(hub: Settings) -> None:
    key_id = _id(_create(hub))

    for _ in range(2):
        with transaction(hub.database_url) as session:
            api_keys.revoke(session, SYSTEM, key_id)

    with transaction(hub.database_url) as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert [a for a in actions if a.startswith("keys.")] == ["keys.create", "keys.revoke"]


class TestEnsureAdmin:
    def test_a_hub_without_an_admin_key_gets_one(self, hub: Settings) -> None:
        _create(hub, Role.STEWARD)

        with transaction(hub.database_url) as session:
            issued = api_keys.ensure_admin(session, None)
            again = api_keys.ensure_admin(session, None)

        assert issued is not None
        assert again is None
        assert _authenticate(hub, issued.token).role is Role.ADMIN

    def test_the_bootstrap_key_is_registered_once_and_no_other_is_made(self, hub: Settings) -> None:
        for _ in range(2):
            with transaction(hub.database_url) as session:
                assert api_keys.ensure_admin(session, BOOTSTRAP) is None

        assert [k.id for k in _stored(hub)] == ["0123456789abcdef"]
        assert _authenticate(hub, BOOTSTRAP).role is Role.ADMIN

    def test_a_revoked_bootstrap_key_stays_revoked_and_a_new_admin_key_is_made(
        self, hub: Settings
    ) -> None:
        with transaction(hub.database_url) as session:
            api_keys.ensure_admin(session, BOOTSTRAP)
            api_keys.revoke(session, SYSTEM, "0123456789abcdef")

        with transaction(hub.database_url) as session:
            issued = api_keys.ensure_admin(session, BOOTSTRAP)

        assert issued is not None
        with pytest.raises(UnauthenticatedError, match="was revoked"):
            _authenticate(hub, BOOTSTRAP)

    def test_a_bootstrap_key_whose_id_holds_another_secret_is_refused(self, hub: Settings) -> None:
        with transaction(hub.database_url) as session:
            api_keys.ensure_admin(session, BOOTSTRAP)

        with (
            pytest.raises(ConflictError, match="registered with another secret or role"),
            transaction(hub.database_url) as session,
        ):
            api_keys.ensure_admin(session, BOOTSTRAP[:-1] + "X")

    def test_a_malformed_bootstrap_key_is_refused_without_echoing_it(self, hub: Settings) -> None:
        with (
            pytest.raises(InvalidInputError) as refused,
            transaction(hub.database_url) as session,
        ):
            api_keys.ensure_admin(session, "mdm_short_secret")

        assert "short" not in refused.value.message
        assert _stored(hub) == []
