"""Staff roles as Django groups, kept in step with this table after every migrate."""

# Group names are stored, so they stay the same whatever the interface language.
ROLE_NAMES = {
    "customer_service": "Customer Service",
    "warehouse": "Warehouse",
    "finance": "Finance",
    "finance_approver": "Finance Approver",
    "administrator": "Administrator",
}

_VIEW_OPERATIONS = [
    "sellers.view_seller", "catalog.view_product", "catalog.view_variant", "catalog.view_stocklevel",
    "catalog.view_warehouse", "orders.view_order", "orders.view_orderitem", "orders.view_customer",
    "logistics.view_shipment", "logistics.view_trackingevent", "logistics.view_pickuprequest",
    "logistics.view_courier",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "customer_service": [
        *_VIEW_OPERATIONS,
        "orders.change_order", "orders.add_order", "orders.change_customer", "orders.add_customer",
        "logistics.view_ticket", "logistics.add_ticket", "logistics.change_ticket",
        "logistics.view_ticketmessage", "logistics.add_ticketmessage",
        "logistics.view_claim", "logistics.add_claim", "logistics.change_claim",
        "logistics.view_return", "logistics.add_return", "logistics.change_return",
        "logistics.add_pickuprequest", "logistics.change_pickuprequest",
        "transfers.export_personal_data",  # customer lists for follow-ups; every such export is audited
    ],
    "warehouse": [
        *_VIEW_OPERATIONS,
        "catalog.change_stocklevel", "catalog.view_stockmovement", "catalog.add_stockmovement",
        "catalog.change_product", "catalog.change_variant", "catalog.add_product", "catalog.add_variant",
        "logistics.change_shipment", "logistics.add_shipment", "logistics.view_labelprint",
        "logistics.add_pickuprequest", "logistics.change_pickuprequest",
        "logistics.view_return", "logistics.change_return",
    ],
    "finance": [
        "sellers.view_seller", "orders.view_order", "logistics.view_shipment",
        "finance.view_bankaccount", "finance.add_bankaccount", "finance.change_bankaccount",
        "finance.view_ledgerentry", "finance.add_ledgerentry", "finance.view_sellerbalance",
        "finance.view_withdrawal", "finance.add_withdrawal", "finance.change_withdrawal",
        "finance.review_withdrawal", "finance.pay_withdrawal",
        "finance.view_codremittance", "finance.add_codremittance", "finance.change_codremittance",
        "finance.view_codremittanceline", "logistics.view_claim",
    ],
    "finance_approver": [
        "sellers.view_seller", "orders.view_order",
        "finance.view_bankaccount", "finance.view_ledgerentry", "finance.view_sellerbalance",
        "finance.view_withdrawal", "finance.change_withdrawal", "finance.review_withdrawal",
        "finance.approve_withdrawal", "finance.view_codremittance", "finance.view_codremittanceline",
        "logistics.view_claim", "logistics.change_claim",
    ],
    "administrator": ["*"],  # every permission, including "view all sellers"
}


def roles_sync(*, using: str = "default") -> None:
    from django.contrib.auth.models import Group, Permission

    all_permissions = Permission.objects.using(using).select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_permissions}
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=ROLE_NAMES[role])
        if codenames == ["*"]:
            wanted = list(by_name.values())
        else:
            missing = [c for c in codenames if c not in by_name]
            if missing:
                raise LookupError(f"Role {role} names unknown permissions: {missing}")
            wanted = [by_name[c] for c in codenames]
        group.permissions.set(wanted)


def roles_sync_after_migrate(sender, using="default", **kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    # Permissions of every app must exist before the groups point at them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    roles_sync(using=using)
