"""Refuse oversized request bodies before anything parses them.

DRF's JSON parser reads the request stream itself and so bypasses Django's
DATA_UPLOAD_MAX_MEMORY_SIZE; checking Content-Length (and capping chunked bodies) here
answers 413 (411 for a chunked body) before any parsing: JSON for the API, the app's
error page (templates/413.html, 411.html) in the reader's language for the pages.
"""

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .error_pages import error_response, in_request_language
from .l10n import grouped


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.FACTCHECK_MAX_REQUEST_BYTES
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(declared)
        except ValueError:
            size = 0
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if size > limit or (chunked and request.method in ("POST", "PUT", "PATCH")):
            # First in the chain: LocaleMiddleware has not run yet.
            with in_request_language(request):
                if size > limit:
                    message = _(
                        "the request body is %(size)s bytes; the limit is %(limit)s bytes"
                    ) % {"size": grouped(size), "limit": grouped(limit)}
                    return error_response(
                        request,
                        413,
                        message=message,
                        size=filesizeformat(size),
                        limit=filesizeformat(limit),
                    )
                message = _("chunked request bodies are not accepted; send Content-Length")
                return error_response(request, 411, message=message)
        return self.get_response(request)
