from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.models import Product, StockLevel, Variant, Warehouse


class StockLevelSerializer(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = StockLevel
        fields = ["warehouse", "warehouse_code", "on_hand", "reserved", "available"]
        read_only_fields = fields


class VariantSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    stock = StockLevelSerializer(source="stock_levels", many=True, read_only=True)

    class Meta:
        model = Variant
        fields = ["id", "product", "product_name", "sku", "name", "option_values", "price", "weight_grams",
                  "is_active", "stock", "updated_at"]
        read_only_fields = fields


class ProductVariantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Variant
        fields = ["id", "sku", "name", "option_values", "price", "weight_grams", "is_active"]
        read_only_fields = fields


class ProductSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True, default="")
    variants = ProductVariantSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "brand", "status", "category", "category_name", "variants", "created_at",
                  "updated_at"]
        read_only_fields = fields


class ProductDetailSerializer(ProductSerializer):
    variants = VariantSerializer(many=True, read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "description"]
        read_only_fields = fields


class VariantPriceSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class StockSetSerializer(serializers.Serializer):
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.none(),
                                                   help_text=_("A fulfilment warehouse or one of the seller's own."))
    on_hand = serializers.IntegerField(min_value=0, max_value=2_000_000_000, help_text=_("The counted quantity."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    def __init__(self, *args, seller=None, **kwargs):
        super().__init__(*args, **kwargs)
        if seller is not None:
            from django.db.models import Q

            self.fields["warehouse"].queryset = Warehouse.objects.filter(
                Q(seller=seller) | Q(seller__isnull=True), is_active=True
            )
