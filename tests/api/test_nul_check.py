"""The body check's fast path must refuse exactly the bodies the full pattern refuses."""

from hypothesis import given
from hypothesis import strategies as st

from mdmhub.api.middleware import NUL_IN_JSON, _holds_nul

# Bytes near the pattern's edges: backslashes, the escape's letters, raw NULs.
json_like = st.lists(
    st.sampled_from([b"\\", b"u", b"0", b"\x00", b"a", b'"', b"\\u0000", b"\\\\"]), max_size=40
).map(b"".join)


@given(st.one_of(json_like, st.binary(max_size=200)))
def test_the_fast_check_agrees_with_the_full_pattern(body: bytes) -> None:
    assert _holds_nul(body) == (NUL_IN_JSON.search(body) is not None)


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul() -> None:
    assert not _holds_nul(b'{"a": "x\\\\u0000"}')
    assert _holds_nul(b'{"a": "x\\u0000"}')
