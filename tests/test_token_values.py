"""The token value format, its checksum, and what the database stores of it."""

import hashlib
import re
import zlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from tokens import values
from tokens.models import PersonalAccessToken

# Written out here instead of imported, so a wrong alphabet order in the
# application cannot make its own test pass.
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
VALUE_PATTERN = re.compile(r"pv_pat_([0-9A-Za-z]{43})([0-9A-Za-z]{6})")


def base62(number, width):
    digits = ""
    while number:
        number, remainder = divmod(number, 62)
        digits = BASE62[remainder] + digits
    return digits.rjust(width, "0")


def expected_checksum(secret):
    return base62(zlib.crc32(secret.encode("ascii")), 6)


def secret_with_crc_below(limit):
    """Return a 43-character secret whose CRC-32 is below `limit`."""
    for number in range(1_000_000):
        secret = f"{number:043d}"
        if zlib.crc32(secret.encode("ascii")) < limit:
            return secret
    raise AssertionError(f"no secret with a CRC-32 below {limit} found")


def split(value):
    match = VALUE_PATTERN.fullmatch(value)
    assert match is not None, f"{value!r} does not have the token format"
    return match[1], match[2]


def test_value_has_prefix_secret_and_checksum():
    value = values.generate_token()

    assert VALUE_PATTERN.fullmatch(value)
    assert len(value) == 56


def test_checksum_is_base62_crc32_of_secret():
    for _ in range(20):
        secret, checksum = split(values.generate_token())

        assert checksum == expected_checksum(secret)


@pytest.mark.parametrize("limit", [62**5, 62**4])
def test_checksum_is_zero_padded(limit):
    secret = secret_with_crc_below(limit)

    checksum = values.checksum(secret)

    assert checksum == expected_checksum(secret)
    assert checksum.startswith("0")


def test_checksum_puts_most_significant_digit_first():
    secret = "A" * 43
    crc = zlib.crc32(secret.encode("ascii"))

    checksum = values.checksum(secret)

    assert checksum[-1] == BASE62[crc % 62]
    assert checksum[0] == BASE62[crc // 62**5]


def test_two_values_differ():
    assert values.generate_token() != values.generate_token()


def test_secret_uses_whole_alphabet():
    # 100 values contain 4,300 secret characters. A uniform draw misses one
    # of the 62 characters with a probability below 62 * (61/62)**4300 = 3e-29.
    seen = set()
    for _ in range(100):
        secret, _checksum = split(values.generate_token())
        seen.update(secret)

    assert seen == set(BASE62)


def test_generated_value_is_well_formed():
    assert values.is_well_formed(values.generate_token())


def tampered(value):
    last = value[-1]
    return value[:-1] + ("0" if last != "0" else "1")


def mistyped(value):
    middle = len(value) // 2
    replacement = "x" if value[middle] != "x" else "y"
    return value[:middle] + replacement + value[middle + 1 :]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(tampered, id="tampered-checksum"),
        pytest.param(mistyped, id="mistyped-secret"),
        pytest.param(lambda value: value[:-1], id="truncated"),
        pytest.param(lambda value: value + "0", id="one-extra-character"),
        pytest.param(lambda value: value[7:], id="without-prefix"),
        pytest.param(lambda value: "pv_PAT_" + value[7:], id="prefix-case"),
        pytest.param(lambda value: value[:20] + "-" + value[21:], id="dash"),
        pytest.param(lambda value: value[:20] + "é" + value[21:], id="non-ascii"),
        pytest.param(lambda value: "", id="empty"),
    ],
)
def test_changed_value_is_not_well_formed(change):
    assert not values.is_well_formed(change(values.generate_token()))


def test_public_prefix_is_first_eight_secret_characters():
    value = values.generate_token()
    secret, _checksum = split(value)

    assert values.public_prefix(value) == "pv_pat_" + secret[:8]


def test_digest_is_sha256_hex_of_value():
    value = values.generate_token()

    assert values.digest(value) == hashlib.sha256(value.encode()).hexdigest()


def test_created_token_stores_prefix_and_digest(make_token, owner):
    token, value = make_token(owner)
    secret, _checksum = split(value)
    token.refresh_from_db()

    assert token.prefix == "pv_pat_" + secret[:8]
    assert token.digest == hashlib.sha256(value.encode()).hexdigest()


def test_no_column_contains_value(make_token, owner, backlog):
    token, value = make_token(owner, backlogs=[backlog])
    secret, _checksum = split(value)
    row = PersonalAccessToken.objects.filter(pk=token.pk).values().get()

    for column, stored in row.items():
        assert value not in str(stored), column
        assert secret not in str(stored), column


def test_database_dump_does_not_contain_value(make_token, owner, backlog):
    _token, value = make_token(owner, backlogs=[backlog])
    secret, _checksum = split(value)
    output = StringIO()

    call_command("dumpdata", stdout=output)

    assert value not in output.getvalue()
    assert secret not in output.getvalue()


def test_digest_is_unique(make_token, owner):
    token, _value = make_token(owner)

    with pytest.raises(IntegrityError), transaction.atomic():
        PersonalAccessToken.objects.create(
            user=owner, name="copy", prefix=token.prefix, digest=token.digest
        )


def test_token_text_shows_no_secret(make_token, owner):
    token, value = make_token(owner)
    secret, _checksum = split(value)

    assert secret not in str(token)
    assert token.digest not in str(token)
    assert token.prefix in str(token)
