from django.urls import path

from orders.api import views

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="api-order-list"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="api-order-detail"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="api-order-cancel"),
]
