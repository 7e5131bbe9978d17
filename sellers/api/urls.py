from django.urls import path

from sellers.api import views

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="api-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-logout"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("seller/", views.SellerProfileView.as_view(), name="api-seller"),
    path("dashboard/", views.DashboardView.as_view(), name="api-dashboard"),
]
