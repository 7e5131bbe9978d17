"""OpenAPI for the mobile API: every operation documents the one error format for each error status."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable code the app can branch on, e.g. invalid, not_found."))
    message = serializers.CharField(help_text=_("A message that can be shown to the user."))
    fields = serializers.DictField(
        help_text=_("Field name → list of problems (nested for item lists); empty when no field is at fault."),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERROR_RESPONSES = {
    "400": _("Invalid input: `error.fields` names each field at fault."),
    "401": _("No token, an unknown token, or an expired one."),
    "403": _("The user is not an active seller user, or may not do this."),
    "404": _("Not found, or it belongs to another seller."),
    "409": _("The request conflicts with the record's state (a transition not allowed, a balance too low, an "
             "idempotency key being used by a request in progress)."),
    "415": _("Unsupported content type."),
    "422": _("The idempotency key was already used for a different request."),
    "429": _("Too many requests; retry after the number of seconds in Retry-After."),
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERROR_RESPONSES.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = str(description)
                responses[code] = response
        return responses


@extend_schema_field({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in WIB as "HH:MM" (OpenAPI's `time` format would demand a UTC offset)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)
