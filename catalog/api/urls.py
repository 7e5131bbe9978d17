from django.urls import path

from catalog.api import views

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="api-product-list"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="api-product-detail"),
    path("variants/", views.VariantListView.as_view(), name="api-variant-list"),
    path("variants/<int:pk>/", views.VariantDetailView.as_view(), name="api-variant-detail"),
    path("variants/<int:pk>/stock/", views.VariantStockView.as_view(), name="api-variant-stock"),
]
