import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from mdmhub.logs import JsonFormatter, redact


def test_redact_masks_emails_phones_golden_ids_and_national_ids() -> None:
    text = "jose@example.com called from +34 600 123 456 about cus_0123456789abcdef, DNI 12345678Z"

    assert redact(text) == ("<email> called from <number> about <golden-id>, DNI <national-id>")


@given(st.emails())
def test_no_email_survives_redaction(email: str) -> None:
    assert email not in redact(f"value {email} here")


def test_a_log_line_is_one_json_object_with_the_extra_fields() -> None:
    record = logging.LogRecord("mdmhub.test", logging.INFO, "", 0, "saw %s", ("a@b.es",), None)
    record.route = "/v1/sources"

    line = json.loads(JsonFormatter().format(record))

    assert (line["message"], line["route"], line["level"]) == ("saw <email>", "/v1/sources", "info")
