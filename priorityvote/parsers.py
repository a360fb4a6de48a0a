"""The API's request parser: JSON only.

A module of its own because DRF imports DEFAULT_PARSER_CLASSES while
rest_framework.views loads, so it must not import that module itself.
"""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser that also rejects JSON nested too deeply to decode.

    Python's decoder raises RecursionError, not ValueError, on such input,
    and DRF's parser turns only ValueError into a 400.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                "JSON parse error - the value is nested too deeply."
            ) from None
