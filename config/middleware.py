"""Project-wide response middleware: a request id for the logs, and the Content-Security-Policy."""

import re
import uuid

from django.conf import settings

from .logs import request_id_var

# A proxy's X-Request-ID is reused only when it looks like an id, never arbitrary text in our logs.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming[:32] if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response.headers.setdefault("X-Request-ID", request.request_id)
        return response


class ContentSecurityPolicyMiddleware:
    """Django 5.2 has no CSP of its own. No inline scripts or styles anywhere: assets come from static/."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = (
            "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(self.header, settings.CONTENT_SECURITY_POLICY)
        return response
