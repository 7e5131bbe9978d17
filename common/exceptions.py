from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A business rule refused the operation. The message is safe to show to staff and sellers;
    `code` is a stable string the mobile app can branch on."""

    code = "invalid"
    http_status = 400

    def __init__(self, message, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.extra = extra or {}


class TransitionNotAllowed(ApplicationError):
    code = "transition_not_allowed"
    http_status = 409

    def __init__(self, *, record, current: str, target: str) -> None:
        super().__init__(
            _("%(record)s cannot go from “%(current)s” to “%(target)s”.")
            % {"record": record, "current": current, "target": target},
            extra={"current": current, "target": target},
        )
