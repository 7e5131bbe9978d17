import django_filters
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from catalog.api.serializers import (
    ProductDetailSerializer,
    ProductSerializer,
    StockSetSerializer,
    VariantPriceSerializer,
    VariantSerializer,
)
from catalog.models import Product, StockLevel, Variant
from catalog.services import stock_set_on_hand, variant_update
from common.api_views import SellerScopedMixin


class ProductFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Product.Status.choices)
    category = django_filters.NumberFilter(field_name="category_id")
    q = django_filters.CharFilter(method="filter_search", max_length=100,
                                  label=_("Name contains, or exact SKU of a variant"))

    class Meta:
        model = Product
        fields = ["status", "category", "q"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        sku = Variant.objects.filter(product_id=OuterRef("pk"), sku=value)
        return queryset.filter(Q(name__icontains=value) | Q(Exists(sku)))


class VariantFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id")
    sku = django_filters.CharFilter(field_name="sku", max_length=64)
    is_active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_search", max_length=100,
                                  label=_("SKU, variant or product name contains"))

    class Meta:
        model = Variant
        fields = ["product", "sku", "is_active", "q"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(sku__icontains=value) | Q(name__icontains=value)
                               | Q(product__name__icontains=value))


def _stock_prefetch():
    return Prefetch("stock_levels", queryset=StockLevel.objects.select_related("warehouse").order_by("warehouse_id"))


class ProductListView(SellerScopedMixin, generics.ListAPIView):
    serializer_class = ProductSerializer
    filterset_class = ProductFilter

    def get_queryset(self):
        return (Product.objects.filter(seller_id=self.seller_id).select_related("category")
                .prefetch_related(Prefetch("variants", queryset=Variant.objects.order_by("sku"))))

    @extend_schema(tags=["catalog"], summary="Products with their variants; search by name or SKU")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProductDetailView(SellerScopedMixin, generics.RetrieveAPIView):
    serializer_class = ProductDetailSerializer

    def get_queryset(self):
        variants = Variant.objects.select_related("product").prefetch_related(_stock_prefetch()).order_by("sku")
        return (Product.objects.filter(seller_id=self.seller_id).select_related("category")
                .prefetch_related(Prefetch("variants", queryset=variants)))

    @extend_schema(tags=["catalog"], summary="A product with its variants and their stock")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class VariantQuerysetMixin(SellerScopedMixin):
    def get_queryset(self):
        return (Variant.objects.filter(seller_id=self.seller_id).select_related("product")
                .prefetch_related(_stock_prefetch()))


class VariantListView(VariantQuerysetMixin, generics.ListAPIView):
    serializer_class = VariantSerializer
    filterset_class = VariantFilter

    @extend_schema(tags=["catalog"], summary="Variants with their stock per warehouse")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class VariantDetailView(VariantQuerysetMixin, generics.GenericAPIView):
    serializer_class = VariantSerializer

    @extend_schema(tags=["catalog"], summary="A variant with its stock")
    def get(self, request, pk):
        return Response(VariantSerializer(self.get_object()).data)

    @extend_schema(tags=["catalog"], request=VariantPriceSerializer, responses=VariantSerializer,
                   summary="Change the variant's price")
    def patch(self, request, pk):
        variant = self.get_object()
        serializer = VariantPriceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        variant_update(variant=variant, price=serializer.validated_data["price"], acting_user=request.user)
        return Response(VariantSerializer(self.get_queryset().get(pk=variant.pk)).data)


class VariantStockView(VariantQuerysetMixin, generics.GenericAPIView):
    serializer_class = StockSetSerializer

    @extend_schema(tags=["catalog"], request=StockSetSerializer, responses=VariantSerializer,
                   summary="Set the counted on-hand stock of the variant in a warehouse")
    def post(self, request, pk):
        variant = self.get_object()
        serializer = StockSetSerializer(data=request.data, seller=self.seller)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        stock_set_on_hand(variant=variant, warehouse=data["warehouse"], on_hand=data["on_hand"],
                          note=data["note"], reference="api", acting_user=request.user)
        return Response(VariantSerializer(self.get_queryset().get(pk=variant.pk)).data)


