from mdmhub.api.auth_cache import AuthCache
from mdmhub.domain.actors import Actor, Role

AGENT = Actor("desk", Role.AGENT, api_key_id="k1")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_checked_key_is_remembered_until_its_time_runs_out() -> None:
    clock = Clock()
    cache = AuthCache(ttl=5, clock=clock)
    cache.put("mdm_k1_secret", AGENT)

    clock.now = 4.9
    remembered = cache.get("mdm_k1_secret")
    clock.now = 5.1

    assert (remembered, cache.get("mdm_k1_secret")) == (AGENT, None)


def test_forgetting_a_key_id_drops_it_at_once() -> None:
    cache = AuthCache()
    cache.put("mdm_k1_secret", AGENT)

    cache.forget("k1")

    assert cache.get("mdm_k1_secret") is None
