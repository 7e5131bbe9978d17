"""`Idempotency-Key` on creating API requests: a replay returns the first answer and creates nothing.

The record is inserted in the same transaction as the work it guards. A second request with the same key
blocks on the unique index until the first commits (then it replays the stored answer) or rolls back
(then it does the work itself). Only successful (2xx) answers are kept: after a refusal the client may fix
the request and send it again with the same key."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from common.exceptions import ApplicationError
from common.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyInvalid(ApplicationError):
    code = "idempotency_key_invalid"


class IdempotencyKeyReused(ApplicationError):
    code = "idempotency_key_reused"
    http_status = 422


def _canonical(value):
    if hasattr(value, "chunks") and hasattr(value, "size"):  # an uploaded file
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": getattr(value, "name", ""), "size": value.size, "sha256": digest.hexdigest()}
    if hasattr(value, "lists"):  # QueryDict (form or multipart data)
        return {key: [_canonical(v) for v in values] for key, values in sorted(value.lists())}
    if isinstance(value, dict):
        return {str(key): _canonical(v) for key, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def request_fingerprint(request) -> str:
    body = json.dumps(_canonical(request.data), sort_keys=True, default=str, separators=(",", ":"))
    text = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(record: IdempotencyRecord, *, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("Idempotency key “%(key)s” was already used for a different request; use a new key for a new "
              "request.") % {"key": record.key},
            extra={"fields": {HEADER: [str(_("Already used for a different request."))]}},
        )
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request, handler) -> Response:
    """Run `handler()` (which returns a Response) at most once per (user, Idempotency-Key). Without the
    header it simply runs it."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        return handler()
    if len(key) > MAX_KEY_LENGTH or "\x00" in key:
        raise IdempotencyKeyInvalid(
            _("The Idempotency-Key header must be at most %(n)d characters.") % {"n": MAX_KEY_LENGTH},
            extra={"fields": {HEADER: [str(_("Too long or not text."))]}},
        )
    fingerprint = request_fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user, key=key, method=request.method, path=request.path[:500],
                    fingerprint=fingerprint,
                )
        except IntegrityError:
            # Committed by an earlier request (we waited for it on the unique index): answer as it did.
            existing = IdempotencyRecord.objects.get(user=request.user, key=key)
            return _replay(existing, fingerprint=fingerprint)
        response = handler()
        if not 200 <= response.status_code < 300:
            transaction.set_rollback(True)  # keep nothing of a refused request, not even the key
            return response
        record.status_code = response.status_code
        record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
        record.save(update_fields=["status_code", "response_body"])
    return response
