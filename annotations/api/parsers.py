"""The API's parsers: DRF's, refusing bodies PostgreSQL cannot store with a 400.

Deeply nested JSON (DRF's own parser lets RecursionError through, a 500), NUL characters
and lone surrogates in any string, key or form field are refused here, once for every
endpoint; see ``annotations/storable.py``. The names match DRF's, so a view imports these
instead of DRF's and changes nothing else.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from ..storable import Problem, fields_problem, json_problem, too_deep_message

__all__ = ["FormParser", "JSONParser", "MultiPartParser"]


def _refuse(problem: Problem | None) -> None:
    """A problem found in a parsed body answers 400 with its message."""
    if problem is not None:
        raise ParseError(problem.body())


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The C decoder gives up at Python's recursion limit and unwinds cleanly.
            raise ParseError(too_deep_message()) from None
        _refuse(json_problem(data))
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _refuse(fields_problem(data.lists()))
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        _refuse(fields_problem(result.data.lists()))
        return result
