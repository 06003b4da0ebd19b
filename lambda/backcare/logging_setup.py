"""Log configuration with redaction: no raw user ids, device ids or tokens in any log line (SPEC §6).

`configure(level)` sets the root level and puts a `RedactingFilter` on every root handler (on
Lambda the runtime already installed one; elsewhere a stderr handler is added). The filter
rewrites each record once, so every later handler sees the redacted text. A redacted value is
replaced by a short, stable hash (`<user:3f2a9c1e>`) so lines about the same user still correlate.
"""

from __future__ import annotations

import logging
import re
import sys
from functools import cache

HASH_LENGTH = 8
# Libraries that log whole request bodies at DEBUG; kept at WARNING whatever the skill's level.
NOISY_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")
_ID_KINDS = {"account": "user", "device": "device", "person": "person"}

_ALEXA_ID = r"amzn1\.(?:ask\.)?(account|device|person)\.[\w\-]+"
_BEARER = r"(?i)(\bbearer\s+)(?!<)([\w\-.~+/]+=*)"
_NAMED_SECRET = (
    r"(?i)([\"']?\b(?:api_?access_?token|consent_?token|access_?token|refresh_?token|authorization"
    r"|x-amz-security-token|aws_?secret_?access_?key|aws_?session_?token)[\"']?\s*[:=]\s*[\"']?)"
    r"(?!<)(?!bearer\b)([^\s\"',}<]+)"
)
_JWT = r"\beyJ[\w\-]+\.[\w\-]+\.[\w\-]*"
_LWA_TOKEN = r"\bAtz[ar]\|[\w\-|.]+"


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Compiled on the first line logged, not at import: most requests log nothing (~1 ms of a cold start)."""
    return re.compile(pattern)


def short_hash(value: str) -> str:
    import hashlib  # here, not at the top: ~10 ms of a Lambda cold start that logs no id

    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]


def redact(text: str) -> str:
    """`text` with Alexa user/device/person ids and access, consent and bearer tokens hashed."""
    text = _compiled(_ALEXA_ID).sub(lambda m: f"<{_ID_KINDS[m.group(1)]}:{short_hash(m.group(0))}>", text)
    text = _compiled(_JWT).sub(lambda m: f"<token:{short_hash(m.group(0))}>", text)
    text = _compiled(_LWA_TOKEN).sub(lambda m: f"<token:{short_hash(m.group(0))}>", text)
    text = _compiled(_BEARER).sub(lambda m: f"{m.group(1)}<token:{short_hash(m.group(2))}>", text)
    return _compiled(_NAMED_SECRET).sub(lambda m: f"{m.group(1)}<token:{short_hash(m.group(2))}>", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback text) with `redact`; never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_backcare_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: redact what there is
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._backcare_redacted = True
        return True


def configure(level: str | int = "INFO") -> None:
    """Set the log level and install redaction on every root handler (idempotent)."""
    root = logging.getLogger()
    root.setLevel(level)
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    for handler in root.handlers:
        if not any(isinstance(existing, RedactingFilter) for existing in handler.filters):
            handler.addFilter(RedactingFilter())
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
