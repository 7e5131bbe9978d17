"""Shipments of orders that live in a sandbox, and the courier's scans played on the sandbox side."""

import time

from orders.models import Order
from tests.factories import CourierFactory, OrderFactory, ShipmentFactory

# What the courier reports, per platform, for a parcel that is delivered / still on the way / going back:
# (code, text) as the platform's tracking answers carry them.
SCRIPTS = {
    "komship": {
        "delivered": [("PICKUP", "Paket telah di pickup"), ("MANIFEST", "Manifest di gudang asal"),
                      ("DELIVERED", "Paket diterima oleh yang bersangkutan")],
        "transit": [("PICKUP", "Paket telah di pickup"), ("DEPARTURE", "Paket keluar dari gudang asal")],
        "returning": [("PICKUP", "Paket telah di pickup"), ("PROBLEM", "Penerima tidak di tempat"),
                      ("RETURN", "Paket dikembalikan ke pengirim")],
    },
    "ngorder": {
        "delivered": [("PICKREQ", "Terima permintaan pick up"), ("IN", "Paket telah di input di Bandung"),
                      ("ANT", "Paket dibawa kurir"), ("DELIVERED", "Paket diterima oleh [Kamil]")],
        "transit": [("PICKREQ", "Terima permintaan pick up"), ("OUT", "Paket keluar dari Bandung")],
        "returning": [("IN", "Paket telah di input di Bandung"), ("RETUR", "Paket retur ke pengirim")],
    },
    "scalev": {
        "delivered": [("shipped", "Paket diserahkan ke kurir"), ("completed", "Paket diterima pembeli")],
        "transit": [("shipped", "Paket diserahkan ke kurir")],
        "returning": [("shipped", "Paket diserahkan ke kurir"), ("rts", "Paket dikembalikan ke pengirim")],
    },
}
COURIERS = {"komship": "jne", "ngorder": "sicepat", "scalev": "jne"}


def sandbox_order_ids(platform: str, sandbox, count: int) -> list[str]:
    sandbox.ensure_seeded()
    if platform == "komship":
        return [str(o["order_id"]) for o in sandbox.orders[:count]]
    if platform == "ngorder":
        return [str(i) for i in list(sandbox.orders.keys())[:count]]
    return [ident for _created, ident in sandbox.order_keys[:count]]


def play(platform: str, sandbox, external_id: str, awb: str, script: list[tuple[str, str]]) -> None:
    """The courier scans the parcel: one event per step, one minute apart, in the past."""
    start = time.time() - 3600 * 5
    if platform == "komship":
        sandbox.give_awb(int(external_id), awb)
        for index, (code, text) in enumerate(script):
            sandbox.add_tracking(awb, code, text, at=start + 60 * index)
    elif platform == "ngorder":
        sandbox.give_awb(int(external_id), awb)
        for index, (code, text) in enumerate(script):
            sandbox.add_tracking(int(external_id), code, text, at=start + 60 * index,
                                 status="DELIVERED" if code == "DELIVERED" else "")
    else:
        with sandbox.lock:
            sandbox._record(external_id)["receipt"] = awb
        for index, (code, text) in enumerate(script):
            sandbox.add_shipment_status(external_id, code, text, at=start + 60 * index)


def travelling_shipments(platform: str, sandbox, account, stages: list[str]) -> list:
    """One local order + shipment (AWB created) per stage, its parcel scanned on the platform."""
    shipments = []
    courier = CourierFactory(code=COURIERS[platform], name=COURIERS[platform].upper())
    for index, (external_id, stage) in enumerate(zip(sandbox_order_ids(platform, sandbox, len(stages)), stages,
                                                     strict=True)):
        awb = f"{platform[:3].upper()}{index:02d}{int(time.time() * 1000) % 10**8:08d}"
        order = OrderFactory(seller=account.seller, account=account, external_id=external_id,
                             status=Order.Status.READY_TO_SHIP)
        shipments.append(ShipmentFactory(order=order, courier=courier, awb=awb, account=account))
        play(platform, sandbox, external_id, awb, SCRIPTS[platform][stage])
    return shipments
