from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api_auth import LoginThrottle, api_login, api_logout, token_expires_at
from common.api_views import SellerScopedMixin
from sellers.api.serializers import (
    DashboardSerializer,
    LoginSerializer,
    MeSerializer,
    SellerSerializer,
    TokenSerializer,
)
from sellers.selectors import seller_dashboard_summary


class LoginView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=LoginSerializer, responses={200: TokenSerializer}, auth=[], tags=["auth"],
                   summary="Log in with username or email and password; returns a token")
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = api_login(request=request._request, login=serializer.validated_data["login"],
                          password=serializer.validated_data["password"])
        return Response(TokenSerializer({"token": token.key, "expires_at": token_expires_at(token)}).data)


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: OpenApiResponse(description="Token revoked.")}, tags=["auth"],
                   summary="Revoke the token")
    def post(self, request):
        api_logout(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer, tags=["me"], summary="The logged-in user and their seller")
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class SellerProfileView(SellerScopedMixin, APIView):
    @extend_schema(responses=SellerSerializer, tags=["me"], summary="The seller's profile")
    def get(self, request):
        return Response(SellerSerializer(self.seller).data)


class DashboardView(SellerScopedMixin, APIView):
    @extend_schema(responses=DashboardSerializer, tags=["me"],
                   summary="Orders by status, balance, pickups due and open tickets")
    def get(self, request):
        return Response(DashboardSerializer(seller_dashboard_summary(seller=self.seller)).data)
