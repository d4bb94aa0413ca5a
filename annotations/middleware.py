"""Refuse oversized request bodies before anything parses them.

DRF's JSON parser reads the request stream itself and so bypasses Django's
DATA_UPLOAD_MAX_MEMORY_SIZE; checking Content-Length (and capping chunked bodies) here
answers 413 before any parsing, for the API as JSON.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse


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
            message = (
                f"the request body is {size:,} bytes; the limit is {limit:,} bytes"
                if size > limit
                else "chunked request bodies are not accepted; send Content-Length"
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413 if size > limit else 411)
            return HttpResponse(
                message, status=413 if size > limit else 411, content_type="text/plain"
            )
        return self.get_response(request)
