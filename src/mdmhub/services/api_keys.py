"""API keys: who may call the REST API, and in which role.

A key reads `mdm_<id>_<secret>`. The id finds the row; only a SHA-256 hash of the
secret is stored, so a copy of the database hands out no working key, and the full
key exists only in the answer that created it. A fast hash is the right one here: the
secret is 32 random bytes, and 2^256 guesses stay out of reach however cheap each
one is. Slow password hashes (bcrypt, argon2) exist to make guessing low-entropy human
passwords expensive; here they would only add tens of milliseconds to every request.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.models import ApiKey
from mdmhub.db.repositories import api_keys as keys_repo
from mdmhub.db.repositories import sources as sources_repo
from mdmhub.domain.actors import SYSTEM, Actor, Role
from mdmhub.errors import ConflictError, InvalidInputError, NotFoundError, UnauthenticatedError
from mdmhub.services import audit

MAX_NAME_LENGTH = 200
ID_BYTES = 8
SECRET_BYTES = 32
KEY_FORMAT = "mdm_<16 hex digits>_<secret of at least 32 URL-safe characters>"
_KEY = re.compile(r"mdm_(?P<id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{32,200})")

TOUCH_INTERVAL = timedelta(minutes=1)
"""`last_used_at` answers "is this key still in use?", which needs no better than
minute precision. Writing it on every request would turn each read into a write, and
on SQLite every write waits for the single writer, a bulk load included."""


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    token: str
    """The full key. It is in no table: whoever did not save it must create another."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _parse(token: str) -> tuple[str, str] | None:
    match = _KEY.fullmatch(token)
    return (match["id"], match["secret"]) if match else None


def _check(
    session: Session, role: Role, source: str | None, name: str, sees_sensitive: bool
) -> None:
    if role is Role.SOURCE:
        if source is None:
            raise InvalidInputError("a source key needs the source it writes for", field="source")
        if sources_repo.get(session, source) is None:
            raise InvalidInputError(f"unknown source {source!r}; register it first", field="source")
    elif source is not None:
        raise InvalidInputError(
            f"only source keys are bound to a source, {role} keys are not", field="source"
        )
    if sees_sensitive and role is not Role.AGENT:
        raise InvalidInputError("sees_sensitive applies to agent keys only", field="sees_sensitive")
    if len(name) > MAX_NAME_LENGTH or name != name.strip():
        raise InvalidInputError(
            f"a key name has at most {MAX_NAME_LENGTH} characters, no surrounding spaces",
            field="name",
        )


def _register(
    session: Session,
    actor: Actor,
    key_id: str,
    secret: str,
    *,
    role: Role,
    source: str | None,
    name: str,
    sees_sensitive: bool,
) -> IssuedKey:
    key = keys_repo.add(
        session,
        ApiKey(
            id=key_id,
            secret_hash=_hash(secret),
            role=role.value,
            source=source,
            name=name,
            sees_sensitive=sees_sensitive,
            created_at=utcnow(),
        ),
    )
    audit.record(
        session,
        actor,
        "keys.create",
        target=key_id,
        detail={
            "role": role.value,
            "source": source,
            "name": name,
            "sees_sensitive": sees_sensitive,
        },
    )
    return IssuedKey(key, f"mdm_{key_id}_{secret}")


def create(
    session: Session,
    actor: Actor,
    *,
    role: Role,
    source: str | None = None,
    name: str = "",
    sees_sensitive: bool = False,
) -> IssuedKey:
    _check(session, role, source, name, sees_sensitive)
    return _register(
        session,
        actor,
        secrets.token_hex(ID_BYTES),
        secrets.token_urlsafe(SECRET_BYTES),
        role=role,
        source=source,
        name=name,
        sees_sensitive=sees_sensitive,
    )


def get_all(session: Session) -> list[ApiKey]:
    return keys_repo.get_all(session)


def revoke(session: Session, actor: Actor, key_id: str) -> ApiKey:
    """Revoking twice changes nothing the second time, so it is audited once."""
    key = keys_repo.get(session, key_id)
    if key is None:
        raise NotFoundError(f"no API key {key_id}", field="key_id")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
        audit.record(
            session,
            actor,
            "keys.revoke",
            target=key_id,
            detail={"role": key.role, "name": key.name},
        )
    return key


def authenticate(session: Session, token: str, now: datetime) -> Actor:
    """The actor a key stands for; `now` decides whether `last_used_at` is due a write."""
    parsed = _parse(token)
    if parsed is None:
        raise UnauthenticatedError(f"malformed API key; a key reads {KEY_FORMAT}")
    key_id, secret = parsed
    key = keys_repo.get(session, key_id)
    # A wrong secret and an unknown id answer alike: the answer must not confirm an id.
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        raise UnauthenticatedError("unknown API key")
    if key.revoked_at is not None:
        raise UnauthenticatedError(f"API key {key.id} was revoked")
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_INTERVAL:
        key.last_used_at = now
        session.flush()
    return Actor(
        name=key.name or key.id,
        role=Role(key.role),
        api_key_id=key.id,
        source=key.source,
        sees_sensitive=key.sees_sensitive,
    )


def _register_bootstrap(session: Session, token: str) -> None:
    """Idempotent, so every start may pass the same key. A revoked bootstrap key stays
    revoked: an operator's revocation must not be undone by a restart."""
    parsed = _parse(token)
    if parsed is None:
        raise InvalidInputError(f"MDMHUB_BOOTSTRAP_ADMIN_KEY must read {KEY_FORMAT}")
    key_id, secret = parsed
    known = keys_repo.get(session, key_id)
    if known is None:
        _register(
            session,
            SYSTEM,
            key_id,
            secret,
            role=Role.ADMIN,
            source=None,
            name="bootstrap admin",
            sees_sensitive=False,
        )
    elif known.role != Role.ADMIN.value or not hmac.compare_digest(
        known.secret_hash, _hash(secret)
    ):
        raise ConflictError(
            f"MDMHUB_BOOTSTRAP_ADMIN_KEY names key {key_id}, which is registered "
            "with another secret or role"
        )


def ensure_admin(session: Session, bootstrap_token: str | None) -> IssuedKey | None:
    """Registers the bootstrap key if one is given; then, if no admin key is active, creates
    one and returns it (the caller shows it once), so a fresh hub is never locked.

    Run it in a write transaction (`write_transaction`): processes starting together on a
    fresh hub then take turns, rather than each inserting the bootstrap key or making an
    admin key of its own.
    """
    if bootstrap_token is not None:
        _register_bootstrap(session, bootstrap_token)
    if keys_repo.has_active_admin(session):
        return None
    return create(session, SYSTEM, role=Role.ADMIN, name="first admin")
