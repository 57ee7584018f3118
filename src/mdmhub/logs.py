"""Structured JSON log lines on stderr, with personal data kept out.

Log lines name routes by their template (`/v1/customers/{golden_id}/360`), never
the URL a client sent: paths hold source ids and golden ids, and query strings
hold names, emails and phones. Messages still pass through `redact`, which masks
emails, phone-like digit runs and ids, in case a library logs a value it holds.
"""

import logging
import re
import sys
from typing import Any

import orjson

_PATTERNS = (
    (re.compile(r"[^\s@]+@[^\s@]+"), "<email>"),
    (re.compile(r"\b(?:cus|prd|adr)_[0-9a-f]{8,}\b"), "<golden-id>"),
    (re.compile(r"\b[XYZ]?\d{7,8}[A-Z]\b", re.IGNORECASE), "<national-id>"),
    (re.compile(r"\+?\d[\d\s().-]{5,}\d"), "<number>"),
)
"""In this order: an id must be masked whole before its digits look like a phone."""
STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's copy of the message with terminal colours
}


def redact(text: str) -> str:
    for pattern, mask in _PATTERNS:
        text = pattern.sub(mask, text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line; fields passed with `extra=` become keys (not redacted: the
    callers pass route templates, ids of keys and counts, never record values)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        line.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_")
        )
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(line, default=str).decode()


def configure(level: str) -> None:
    """Send the hub's and the server's logs to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
