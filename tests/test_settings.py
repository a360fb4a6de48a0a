"""Settings read from the environment, checked in fresh processes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from priorityvote.env import env_bool, env_int, env_list, env_rate

PROJECT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
    "ALLOWED_HOSTS": "vote.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://vote.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
    "EMAIL_HOST": "smtp.example.com",
}


def manage(*args, **environment):
    """Run manage.py with only PATH and the given variables, and return the result."""
    env = {"PATH": os.environ["PATH"], **environment}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_stops_start_in_production():
    result = manage("check", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY is missing" in result.stderr


def test_debug_runs_without_secret_key():
    result = manage("check", DEBUG="1", DATABASE_URL="sqlite:///:memory:")

    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_plain_http_mode_turns_off_https_settings():
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings; "
        "print(settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, "
        "settings.SECURE_HSTS_SECONDS)",
        PRIORITYVOTE_HTTPS="0",
        **PRODUCTION,
    )

    assert result.stdout.split() == ["False", "False", "0"]


def test_https_is_on_by_default_in_production():
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings; "
        "print(settings.SECURE_SSL_REDIRECT, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_HSTS_SECONDS > 0)",
        **PRODUCTION,
    )

    assert result.stdout.split() == ["True", "True", "True"]


def test_malformed_number_stops_start_with_its_name():
    result = manage("check", PRIORITYVOTE_MAX_ACTIVE_TOKENS="ten", **PRODUCTION)

    assert result.returncode != 0
    assert "PRIORITYVOTE_MAX_ACTIVE_TOKENS='ten' is not a whole number" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("yes", True), ("0", False), ("off", False)]
)
def test_env_bool_reads_words(monkeypatch, value, expected):
    monkeypatch.setenv("FLAG", value)

    assert env_bool("FLAG", default=not expected) is expected


def test_env_bool_rejects_other_words(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG", default=False)


def test_env_int_rejects_values_below_minimum(monkeypatch):
    monkeypatch.setenv("COUNT", "0")

    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env_int("COUNT", 10, minimum=1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example.com, ,b.example.com ")

    assert env_list("HOSTS", []) == ["a.example.com", "b.example.com"]


@pytest.mark.parametrize("value", ["10/minute", "5/s", "100/day"])
def test_env_rate_accepts_drf_rates(monkeypatch, value):
    monkeypatch.setenv("RATE", value)

    assert env_rate("RATE", "10/minute") == value


def test_empty_rate_turns_throttle_off(monkeypatch):
    monkeypatch.setenv("RATE", "")

    assert env_rate("RATE", "10/minute") is None


def test_env_rate_rejects_malformed_rate(monkeypatch):
    monkeypatch.setenv("RATE", "ten per minute")

    with pytest.raises(ImproperlyConfigured, match="is not a rate"):
        env_rate("RATE", "10/minute")


def test_throttle_counts_are_shared_between_processes(tmp_path):
    """The default cache is a database table, so all workers share one count."""
    database = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    manage("migrate", "--verbosity", "0", **database)

    manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.core.cache import cache; cache.set('throttle_auth_1', [1, 2])",
        **database,
    )
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.core.cache import cache; print(cache.get('throttle_auth_1'))",
        **database,
    )

    assert result.stdout.strip() == "[1, 2]"


def test_deploy_check_warns_without_email_server():
    without_email = {
        key: value for key, value in PRODUCTION.items() if key != "EMAIL_HOST"
    }

    result = manage("check", "--deploy", **without_email)

    assert "priorityvote.W001" in result.stderr + result.stdout


def test_production_without_email_server_does_not_print_mail():
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.core.mail import send_mail; "
        "send_mail('Reset your password', 'secret link', None, ['a@example.com'])",
        **{key: value for key, value in PRODUCTION.items() if key != "EMAIL_HOST"},
    )

    assert "secret link" not in result.stdout + result.stderr
    assert "E-mail not sent because EMAIL_HOST is not set" in result.stderr


def test_sqlite_transactions_take_write_lock_at_start():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the transaction mode is an SQLite option")

    options = settings.DATABASES["default"]["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] > 0


def read_database_options(**environment):
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings; "
        "print(settings.DATABASES['default'].get('OPTIONS', {}))",
        **environment,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_default_database_takes_write_lock_at_start():
    default_database = {
        key: value for key, value in PRODUCTION.items() if key != "DATABASE_URL"
    }

    options = read_database_options(**default_database)

    assert "'transaction_mode': 'IMMEDIATE'" in options


def test_postgresql_gets_no_sqlite_options():
    # Reading the settings opens no connection, so no server is needed.
    postgres = {**PRODUCTION, "DATABASE_URL": "postgres://vote@127.0.0.1:5432/vote"}

    options = read_database_options(**postgres)

    assert "transaction_mode" not in options


# Runs in `manage.py shell` against a database file: 10 threads, each with
# its own connection and session, create an initiative at the same moment.
CONCURRENT_CREATIONS = """
import json
import threading

from django.db import connection
from django.test import Client

from initiatives.models import Backlog, Membership, Role
from priorityvote.models import User

ATTEMPTS = 10
user = User.objects.create(email="ada@example.com", display_name="Ada")
backlog = Backlog.objects.create(name="Team")
Membership.objects.create(backlog=backlog, user=user, role=Role.OWNER)
clients = []
for _ in range(ATTEMPTS):
    client = Client()
    client.force_login(user)
    client.raise_request_exception = False
    clients.append(client)
start = threading.Barrier(ATTEMPTS)
codes = []


def create(client, number):
    try:
        start.wait()
        response = client.post(
            f"/api/v1/backlogs/{backlog.pk}/initiatives",
            {"title": f"Idea {number}"},
            content_type="application/json",
        )
        codes.append(response.status_code)
    finally:
        connection.close()


threads = [
    threading.Thread(target=create, args=(client, number))
    for number, client in enumerate(clients)
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"codes": codes, "initiatives": backlog.initiatives.count()}))
"""


def test_concurrent_writes_to_sqlite_file_all_succeed(tmp_path):
    """Writers wait for the lock instead of failing with "database is locked"."""
    database = {
        **PRODUCTION,
        "ALLOWED_HOSTS": "testserver",
        "PRIORITYVOTE_HTTPS": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    migrated = manage("migrate", "--verbosity", "0", **database)
    assert migrated.returncode == 0, migrated.stderr

    result = manage("shell", "--verbosity", "0", "-c", CONCURRENT_CREATIONS, **database)

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["codes"] == [201] * 10, result.stderr[-2000:]
    assert outcome["initiatives"] == 10
