"""An agent's default 360 read of a ready view, answered before FastAPI routes the request.

Most reads on a busy hub are this one: `GET /v1/customers/{id}/360` without parameters,
by an agent whose key this process checked moments ago, of a view kept ready
(`services.customer_views`). For such a read FastAPI's matching of the path against every
route and its solving of the route's dependencies cost about four fifths of the server's
time; the answer itself is one lookup. Answered here, such a read took 0.14 ms of CPU in
process instead of 0.38 (0.24 ms instead of 0.53 on a server under load, HTTP included).

So this middleware answers that read when it can, with the same checks and the same
document the route would give. Anything else goes on to the app, which answers it in
full: another path, any parameter, a key this process has not checked lately, a refusal
(the route then says what was wrong), no ready view, a database error. The route stays the
one documented in OpenAPI.
"""

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mdmhub.api.auth_cache import AuthCache
from mdmhub.api.deps import AGENT_ROLES, spend_rate
from mdmhub.api.routers import customers
from mdmhub.domain.actors import Actor
from mdmhub.domain.masking import hides_sensitive
from mdmhub.errors import TooManyRequestsError
from mdmhub.services import customer_views

_ROUTE = next(
    route
    for route in customers.router.routes
    if isinstance(route, APIRoute) and route.endpoint is customers.view_360
)
"""The route this read is one case of: its path is matched as Starlette matches it, and it
is the route the access log names."""


class Ready360Reads:
    """A plain ASGI middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self._ready(scope) if scope["type"] == "http" else None
        if body is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = _ROUTE
        await Response(body, media_type="application/json")(scope, receive, send)

    def _ready(self, scope: Scope) -> bytes | None:
        if scope["method"] != "GET" or scope["query_string"]:
            return None
        path = _ROUTE.path_regex.match(scope["path"])
        if path is None:
            return None
        app: FastAPI = scope["app"]
        actor = _cached_agent(app, scope)
        if actor is None:
            return None
        try:
            body = customer_views.read_ready(
                app.state.settings.database_url, path["golden_id"], hides_sensitive(actor)
            )
            if body is not None:
                spend_rate(app.state, actor)
        except (SQLAlchemyError, TooManyRequestsError):
            return None
        scope.setdefault("state", {})["api_key_id"] = actor.api_key_id
        return body


def _cached_agent(app: FastAPI, scope: Scope) -> Actor | None:
    """The actor behind the request's key, when this process checked the key lately and it
    may read customers."""
    authorization = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
    scheme, token = get_authorization_scheme_param(authorization.decode("latin-1"))
    if scheme.lower() != "bearer" or not token:
        return None
    cache: AuthCache = app.state.auth_cache
    actor = cache.get(token)
    return actor if actor is not None and actor.holds_one_of(AGENT_ROLES) else None
