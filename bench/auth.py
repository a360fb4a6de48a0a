r"""Measure what bearer authentication costs, in queries and in time.

Run it with DATABASE_URL pointing at PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/auth.py

It creates a throwaway test database (test_<name>), so it never touches data.
docs/benchmarks.md records results and the machine they came from.
"""

import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from rest_framework.request import Request  # noqa: E402
from rest_framework.test import APIClient, APIRequestFactory  # noqa: E402

from priorityvote.models import User  # noqa: E402
from tokens.authentication import BearerTokenAuthentication, InvalidToken  # noqa: E402
from tokens.models import PersonalAccessToken, Scope  # noqa: E402

ROUNDS = 2000
OTHER_TOKENS = 10_000


def timed(function, rounds=ROUNDS) -> list[float]:
    """Return the duration of each call in microseconds."""
    durations = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        durations.append((time.perf_counter() - start) * 1e6)
    return durations


def report(label: str, durations: list[float]) -> None:
    durations.sort()
    median = statistics.median(durations)
    p99 = durations[int(len(durations) * 0.99)]
    print(f"{label:<44} median {median:8.0f} µs   p99 {p99:8.0f} µs")


def run() -> None:
    owner = User.objects.create_user(
        "bench@example.com", "unused", display_name="Bench"
    )
    _, value = PersonalAccessToken.objects.create_token(
        owner, name="bench", scopes=[Scope.READ], backlogs=[], expires_in_days=None
    )
    others = [
        PersonalAccessToken(
            user=owner, name=f"other-{i}", prefix=f"pv_pat_{i:08d}", digest=f"{i:064x}"
        )
        for i in range(OTHER_TOKENS)
    ]
    PersonalAccessToken.objects.bulk_create(others, batch_size=2000)

    factory = APIRequestFactory()
    authentication = BearerTokenAuthentication()

    def authenticate():
        request = Request(factory.get("/", HTTP_AUTHORIZATION=f"Bearer {value}"))
        authentication.authenticate(request)

    authenticate()  # sets last_used_at, so the measured calls do not write
    with CaptureQueriesContext(connection) as queries:
        authenticate()
    print(
        f"{connection.vendor}, {OTHER_TOKENS + 1} tokens in the table, {ROUNDS} rounds"
    )
    print(f"queries per authentication: {len(queries)}")
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + queries[0]["sql"])
        plan = [str(row[-1]) for row in cursor.fetchall()]
    print("query plan:", *plan, sep="\n  ")

    malformed = f"Bearer {value[:-1]}{'0' if value[-1] != '0' else '1'}"

    def reject_malformed():
        request = Request(factory.get("/", HTTP_AUTHORIZATION=malformed))
        with contextlib.suppress(InvalidToken):
            authentication.authenticate(request)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    session_client = APIClient()
    session_client.force_login(owner)

    report("authenticate() with a valid token", timed(authenticate))
    report("authenticate() with a bad checksum (no query)", timed(reject_malformed))
    report(
        "GET /api/v1/me with the token (full stack)",
        timed(lambda: client.get("/api/v1/me")),
    )
    report(
        "GET /api/v1/me with a session (full stack)",
        timed(lambda: session_client.get("/api/v1/me")),
    )


def main() -> None:
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        run()
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
