"""A helper for tests that race requests against each other in threads."""

import threading

from django.db import connection


def send_at_once(attempts, send):
    """Call send() from `attempts` threads at once; return their outcomes.

    An outcome is the response, or the repr of the exception that send()
    raised. Each thread closes its own database connection at the end.
    """
    start = threading.Barrier(attempts)
    outcomes = []
    outcomes_lock = threading.Lock()

    def run():
        try:
            start.wait()
            outcome = send()
        except Exception as error:
            # Kept, so that the test's assert shows it.
            outcome = repr(error)
        finally:
            connection.close()
        with outcomes_lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
