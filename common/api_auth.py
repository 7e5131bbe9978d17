"""Token authentication of the mobile API: login by username or email, expiring tokens, logout, throttles."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from common.api_queries import CompiledQuery
from common.exceptions import ApplicationError


class LoginFailed(ApplicationError):
    code = "login_failed"
    http_status = 401


def token_ttl() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_expires_at(token: Token):
    return token.created + token_ttl()


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; the key expires API_TOKEN_TTL_HOURS after login. One query loads the
    token, its user and the user's seller membership."""

    def authenticate_credentials(self, key):
        try:
            tokens = TOKEN_QUERY.instances_from_rows(token_rows(key))
        except ValueError:
            tokens = []
        if not tokens:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = tokens[0]
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if timezone.now() >= token_expires_at(token):
            raise exceptions.AuthenticationFailed(_("The token has expired; log in again."), code="token_expired")
        return token.user, token


# The seller row itself is loaded only by views that need more than its id (lists do not). Compiled once:
# building this join's SQL costs more than PostgreSQL's answer.
TOKEN_QUERY = CompiledQuery(lambda key: Token.objects.select_related("user", "user__seller_user").filter(key=key),
                            {"key": str})


# Token rows (token, user, seller user) kept per process for API_TOKEN_CACHE_SECONDS: most requests of an
# app come in bursts with the same token. Each request still builds its own instances from the row and
# checks expiry and is_active itself. Saving or deleting a token, user or seller user forgets the rows in
# the process that did it (logout: the token at once); other processes see the change within
# API_TOKEN_CACHE_SECONDS (0: no keeping, every request reads the token).
_token_rows: dict[str, tuple[float, list]] = {}
_TOKEN_ROWS_MAX = 10_000


def token_rows(key: str) -> list:
    seconds = settings.API_TOKEN_CACHE_SECONDS
    now = time.monotonic()
    kept = _token_rows.get(key)
    if kept is not None and now - kept[0] < seconds:
        return kept[1]
    rows = TOKEN_QUERY.rows(key=key)
    if rows and seconds > 0:  # unknown keys are not kept: guessing cannot fill the memory
        if len(_token_rows) >= _TOKEN_ROWS_MAX:
            _token_rows.clear()
        _token_rows[key] = (now, rows)
    return rows


def forget_token_rows(key: str | None = None) -> None:
    """Forget the kept row of token `key`, or every kept row."""
    if key is None:
        _token_rows.clear()
    else:
        _token_rows.pop(key, None)


def _token_changed(sender, instance, **kwargs):
    forget_token_rows(instance.key)


def _user_changed(sender, instance, **kwargs):
    forget_token_rows()


def _connect_signals():
    from django.db.models.signals import post_delete, post_save

    from sellers.models import SellerUser

    for signal in (post_save, post_delete):
        signal.connect(_token_changed, sender=Token, dispatch_uid=f"api_token_rows_token_{id(signal)}")
        signal.connect(_user_changed, sender=get_user_model(), dispatch_uid=f"api_token_rows_user_{id(signal)}")
        signal.connect(_user_changed, sender=SellerUser, dispatch_uid=f"api_token_rows_selleruser_{id(signal)}")


_connect_signals()


def api_seller_user(user):
    """The active SellerUser of `user` (loaded with the token), or None."""
    try:
        seller_user = user.seller_user
    except (AttributeError, ObjectDoesNotExist):
        return None
    if seller_user is None or not seller_user.is_active:
        return None
    return seller_user


class IsSellerUser(BasePermission):
    message = _("Only active users of a seller can use the mobile API.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and api_seller_user(request.user))


def api_login(*, request, login: str, password: str) -> Token:
    """Check the password of the user named by `login` (username, or email case-insensitively) and return
    a valid token: the current one, or a new one when there is none or it expired. Only active seller users
    may log in. django-axes counts failures and locks out (request is the Django request)."""
    login = (login or "").strip()
    User = get_user_model()
    username = login
    if "@" in login:
        match = list(User.objects.filter(email__iexact=login, is_active=True).values_list("username", flat=True)[:2])
        if len(match) == 1:
            username = match[0]
    user = authenticate(request=request, username=username, password=password)
    if user is None or api_seller_user(user) is None:
        raise LoginFailed(_("Wrong username/email or password, or the user may not use the app."))
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and timezone.now() >= token_expires_at(token):
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
    return token


def api_logout(*, token: Token) -> None:
    """Revoke the token (every device that shares it has to log in again)."""
    Token.objects.filter(pk=token.pk).delete()
    forget_token_rows(token.key)


class UserThrottle(UserRateThrottle):
    """Per authenticated user (per IP for anonymous requests): rate `user`."""

    scope = "user"


class IPThrottle(SimpleRateThrottle):
    """Per client IP, whoever is logged in: rate `ip`."""

    scope = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(IPThrottle):
    """Login attempts per client IP: rate `login`."""

    scope = "login"


def lockout_response(request, original_response, credentials):
    """django-axes lockout answer (AXES_LOCKOUT_CALLABLE): the API's error format under /api/, the admin's
    lockout page everywhere else."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit
    from django.http import JsonResponse
    from django.shortcuts import render

    status = settings.AXES_HTTP_RESPONSE_CODE
    cool_off = get_cool_off(request)
    if request.path.startswith("/api/"):
        message = _("Too many failed logins; logging in is blocked for a while. Try again later.")
        response = JsonResponse({"error": {"code": "locked_out", "message": str(message), "fields": {}}},
                                status=status)
        if cool_off:
            response["Retry-After"] = str(int(cool_off.total_seconds()))
        return response
    context = {"failure_limit": get_failure_limit(request, credentials),
               "username": get_client_username(request, credentials) or ""}
    if cool_off:
        context["cooloff_timedelta"] = cool_off
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=status)
