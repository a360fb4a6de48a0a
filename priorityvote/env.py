"""Readers for settings that come from environment variables.

Each reader rejects a malformed value at start-up with ImproperlyConfigured,
which names the variable, instead of guessing what the operator meant.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean. Use 1 or 0 (also true/false, yes/no)."
    )


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum, {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list, ignoring blanks around the items."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


RATE_PATTERN = re.compile(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)")


def env_rate(name: str, default: str) -> str | None:
    """Read a rate in DRF's syntax, such as 10/minute. Empty means no limit (None)."""
    value = os.environ.get(name, default).strip()
    if not value:
        return None
    if not RATE_PATTERN.fullmatch(value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate. Use a number of requests per "
            "second, minute, hour or day, such as 10/minute, or leave it empty."
        )
    return value
