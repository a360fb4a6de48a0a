"""Gunicorn's logger, with token values hidden from the access log.

The access log format names no query string and no header, but a client
can still put a token value in the path itself.
"""

from gunicorn.glogging import Logger, SafeAtoms

from priorityvote.logging import redact_token_values


class RedactedAtoms(SafeAtoms):
    def __init__(self, atoms):
        super().__init__(
            {
                key: redact_token_values(value) if isinstance(value, str) else value
                for key, value in atoms.items()
            }
        )


class RedactingLogger(Logger):
    atoms_wrapper_class = RedactedAtoms
