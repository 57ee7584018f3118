"""Authenticated keys remembered for a few seconds, per server process.

Checking a key costs a transaction of its own; a reading agent sends hundreds of requests a
second with the same key. A revocation made through this process forgets the key at once;
one made elsewhere (the command line, another server process) takes effect within `ttl`.
"""

import hashlib
import threading
import time
from collections.abc import Callable

from mdmhub.domain.actors import Actor

DEFAULT_TTL = 5.0
"""Seconds: how late another process's revocation may take effect here."""


class AuthCache:
    def __init__(self, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._actors: dict[str, tuple[Actor, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _slot(token: str) -> str:
        """Keys are held by digest, so the process never keeps a secret in memory."""
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str) -> Actor | None:
        with self._lock:
            found = self._actors.get(self._slot(token))
        if found is None or found[1] < self.clock():
            return None
        return found[0]

    def put(self, token: str, actor: Actor) -> None:
        with self._lock:
            self._actors[self._slot(token)] = (actor, self.clock() + self.ttl)

    def forget(self, key_id: str) -> None:
        with self._lock:
            for slot, (actor, _) in list(self._actors.items()):
                if actor.api_key_id == key_id:
                    del self._actors[slot]
