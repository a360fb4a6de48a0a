class IdConverter:
    """A database id in a URL: 1 to 18 digits, so it always fits a 64-bit column.

    Django's `int` converter takes any number of digits, and an id past
    2**63 - 1 makes PostgreSQL raise an error instead of finding nothing.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
