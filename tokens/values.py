"""The personal access token format: generation, checksum and digest.

A token value is ``pv_pat_`` followed by 43 secret characters and a
6-character checksum, 56 characters in all, for example::

    pv_pat_3kTq0vX1...(43 characters)...Zx09aB

- The secret is 43 characters drawn uniformly by the ``secrets`` module
  from the base62 alphabet ``0-9A-Za-z``: log2(62) * 43 = 256.03 bits.
- The checksum is ``zlib.crc32`` of the 43 secret characters (as ASCII),
  written in base62 with that alphabet, most significant digit first,
  zero-padded to 6 digits. It lets a typo or a truncated value be
  rejected before any database query, and lets secret scanners check a
  match offline.
- The public prefix is ``pv_pat_`` plus the first 8 secret characters.

The database stores only the SHA-256 hex digest of the whole value.
"""

import hashlib
import re
import secrets
import string
import zlib

TOKEN_PREFIX = "pv_pat_"  # noqa: S105 (the public part of every value)
ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
SECRET_LENGTH = 43
CHECKSUM_LENGTH = 6
PUBLIC_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
TOKEN_LENGTH = len(TOKEN_PREFIX) + SECRET_LENGTH + CHECKSUM_LENGTH

TOKEN_PATTERN = re.compile(
    rf"{TOKEN_PREFIX}(?P<secret>[0-9A-Za-z]{{{SECRET_LENGTH}}})"
    rf"(?P<checksum>[0-9A-Za-z]{{{CHECKSUM_LENGTH}}})"
)


def encode_base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits)).rjust(width, ALPHABET[0])


def checksum(secret: str) -> str:
    return encode_base62(zlib.crc32(secret.encode("ascii")), CHECKSUM_LENGTH)


def generate_token() -> str:
    """Return a new token value. Show it to its owner once, then forget it."""
    secret = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    return TOKEN_PREFIX + secret + checksum(secret)


def is_well_formed(value: str) -> bool:
    """Check length, alphabet and checksum, without touching the database."""
    if len(value) != TOKEN_LENGTH:
        return False
    match = TOKEN_PATTERN.fullmatch(value)
    if match is None:
        return False
    return secrets.compare_digest(checksum(match["secret"]), match["checksum"])


def public_prefix(value: str) -> str:
    return value[:PUBLIC_PREFIX_LENGTH]


def digest(value: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored and looked up.

    A fast hash is enough: the value carries 256 random bits, so there is
    no small space of guesses for a slow hash to protect.
    """
    return hashlib.sha256(value.encode("ascii")).hexdigest()
