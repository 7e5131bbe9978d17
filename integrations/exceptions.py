"""What can go wrong talking to a platform. Celery retries ProviderUnavailable only."""


class IntegrationError(Exception):
    """Something went wrong talking to an external platform."""

    retryable = False

    def __init__(self, message: str, *, platform: str = "", status_code: int | None = None,
                 payload: object = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.status_code = status_code
        self.payload = payload
        self.retry_after = retry_after

    def __str__(self) -> str:
        code = f" (HTTP {self.status_code})" if self.status_code else ""
        return f"{self.platform}: {self.message}{code}" if self.platform else self.message


class ProviderUnavailable(IntegrationError):
    """Timeouts, resets, 5xx and 429: trying again later can help."""

    retryable = True


class ProviderRejected(IntegrationError):
    """The platform refused the request (validation, business rule, not found); retrying will not help."""


class ProviderAuthFailed(ProviderRejected):
    """Credentials missing, wrong or expired."""


class ProviderContractChanged(IntegrationError):
    """The platform answered with a payload we cannot map: its contract differs from the document."""
