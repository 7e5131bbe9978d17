"""Webhook endpoints: thin edges over integrations.inbound."""

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.inbound import scalev_delivery_receive
from integrations.models import Platform, PlatformAccount
from integrations.scalev.webhooks import SIGNATURE_HEADER


@csrf_exempt
@require_POST
def scalev_webhook(request: HttpRequest, account_id: int) -> JsonResponse:
    account = get_object_or_404(PlatformAccount, pk=account_id, platform=Platform.SCALEV, is_enabled=True)
    delivery = scalev_delivery_receive(account=account, raw_body=request.body,
                                       signature=request.headers.get(SIGNATURE_HEADER, ""))
    return JsonResponse({"status": delivery.outcome}, status=delivery.status)
