"""One error format for the mobile API: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.exceptions import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(getattr(exc, "message_dict", None) or {"non_field_errors": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ApplicationError):
        body = {"error": {"code": exc.code, "message": exc.message, "fields": application_error_fields(exc)}}
        return Response(body, status=exc.http_status)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"error": {"code": "invalid", "message": "Invalid input.", "fields": fields}}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"error": {"code": code, "message": str(detail), "fields": {}}}
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response


def application_error_fields(exc: ApplicationError) -> dict:
    """Field errors of a refused service call: `extra["fields"]` as given, or the one `extra["field"]` the
    service named (bank account and withdrawal checks do) with the message."""
    fields = exc.extra.get("fields")
    if isinstance(fields, dict) and fields:
        return fields
    field = exc.extra.get("field")
    if isinstance(field, str) and field:
        return {field: [exc.message]}
    return {}


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any path under /api/v1/ that no route matches (e.g. /orders/abc/): 404 in the API's error format."""
    from django.http import JsonResponse
    from django.utils.translation import gettext

    return JsonResponse({"error": {"code": "not_found", "message": gettext("Not found."), "fields": {}}}, status=404)
