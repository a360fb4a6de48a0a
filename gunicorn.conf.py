"""Gunicorn settings for `make serve`, read from environment variables.

WEB_CONCURRENCY sets the number of worker processes (default: 2 per CPU
core, plus one) and GUNICORN_BIND the address (default 127.0.0.1:8000;
behind a proxy on another host, 0.0.0.0:8000).
"""

import multiprocessing

from priorityvote.env import env_bool, env_int, env_str

bind = env_str("GUNICORN_BIND", "127.0.0.1:8000")
workers = env_int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1, minimum=1)

# A request that takes longer than this is killed and logged. Every page and
# endpoint is a few queries, so 30 seconds means something is stuck.
timeout = 30
graceful_timeout = 30
keepalive = 5

# Gunicorn rejects a header line longer than this many bytes before Django runs.
limit_request_field_size = 8190
limit_request_fields = 100

# Django writes one access line per request (logger priorityvote.access),
# with the user and token prefix that gunicorn cannot know. Gunicorn's own
# access log is off; GUNICORN_ACCESS_LOG=1 turns it on, for requests that
# gunicorn rejects before Django runs. It names the path without its query
# string and no header values, and its logger class hides anything shaped
# like a token value in the path.
accesslog = "-" if env_bool("GUNICORN_ACCESS_LOG", default=False) else None
logger_class = "priorityvote.gunicorn_logging.RedactingLogger"
access_log_format = (
    '%(t)s %(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms request=%({x-request-id}o)s'
)
errorlog = "-"
