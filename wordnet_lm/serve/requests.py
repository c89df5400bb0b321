"""Checking the JSON the playground's endpoints receive: one-line messages for the client.

Every check raises :class:`BadRequest` carrying the HTTP status to answer with (400 for a
malformed or out-of-range request, 413 for a body over :data:`MAX_BODY_BYTES`), so a request
can never reach the models with input they were not built for.
"""

from __future__ import annotations

import json
import math
from typing import Any

from wordnet_lm.errors import WordnetLMError

MAX_BODY_BYTES = 64 * 1024  # the largest request body read
MAX_TEXT_CHARS = 20_000  # longest text scored at once
MAX_TEXT_WORDS = 2_000
MAX_WORD_CHARS = 200


class BadRequest(WordnetLMError):
    """A request the server refuses, with the HTTP status to send."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a request body."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("request body is not UTF-8") from None
    except json.JSONDecodeError as e:
        raise BadRequest(f"malformed JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    if not isinstance(body, dict):
        raise BadRequest(f"expected a JSON object, got {type(body).__name__}")
    return body


def check_fields(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse fields the endpoint does not know (a typo would otherwise be ignored silently)."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(map(repr, unknown))}; expected {', '.join(allowed)}")


def text_field(body: dict[str, Any], name: str = "text", required: bool = True, allow_empty: bool = False) -> str:
    """A string field of bounded length (characters and words)."""
    value = body.get(name)
    if value is None:
        if required:
            raise BadRequest(f"missing field {name!r}")
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"field {name!r} must be a string, got {type(value).__name__}")
    if len(value) > MAX_TEXT_CHARS:
        raise BadRequest(f"field {name!r} is too long: {len(value):,} characters, at most {MAX_TEXT_CHARS:,}")
    words = value.split()
    if len(words) > MAX_TEXT_WORDS:
        raise BadRequest(f"field {name!r} is too long: {len(words):,} words, at most {MAX_TEXT_WORDS:,}")
    if not words and not allow_empty:
        raise BadRequest(f"field {name!r} holds no words")
    return value


def word_field(body: dict[str, Any], name: str = "word") -> str:
    """One word: a non-empty string without whitespace."""
    value = text_field(body, name)
    if len(value.split()) != 1 or len(value) > MAX_WORD_CHARS:
        raise BadRequest(f"field {name!r} must be one word of at most {MAX_WORD_CHARS} characters")
    return value.strip()


def int_field(body: dict[str, Any], name: str, default: int | None, low: int, high: int) -> int | None:
    """An integer in ``[low, high]`` (``default`` when absent or null)."""
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"field {name!r} must be an integer, got {json.dumps(value)[:40]}")
    if not low <= value <= high:
        raise BadRequest(f"field {name!r} must be between {low} and {high}, got {value}")
    return value


def float_field(body: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    """A finite number in ``[low, high]``."""
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadRequest(f"field {name!r} must be a number, got {json.dumps(value)[:40]}")
    if not low <= value <= high:
        raise BadRequest(f"field {name!r} must be between {low:g} and {high:g}, got {value:g}")
    return float(value)
