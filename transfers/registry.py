"""What can be imported and exported: import kind -> importer, changelist model -> export resource."""

from django.utils.module_loading import import_string

IMPORTERS = {
    "products": "catalog.resources.ProductImporter",
    "stock": "catalog.resources.StockImporter",
    "orders": "orders.resources.OrderImporter",
    "awb": "logistics.resources.AwbImporter",
    "withdrawals": "finance.resources.WithdrawalStatusImporter",
    "cod_remittances": "finance.resources.CodRemittanceImporter",
}

# "app_label.ModelName" of an admin changelist -> its export resource (django-import-export ModelResource).
EXPORTS = {
    "orders.Order": "orders.resources.OrderExportResource",
    "catalog.Product": "catalog.resources.ProductExportResource",
    "catalog.Variant": "catalog.resources.VariantExportResource",
    "catalog.StockLevel": "catalog.resources.StockLevelExportResource",
    "finance.LedgerEntry": "finance.resources.LedgerEntryExportResource",
    "finance.Withdrawal": "finance.resources.WithdrawalExportResource",
    "logistics.Ticket": "logistics.resources.TicketExportResource",
}


def importer_class(kind: str):
    return import_string(IMPORTERS[kind])


def export_resource_class(model_label: str):
    return import_string(EXPORTS[model_label])
