"""KomshipClient against the Komship sandbox over real HTTP: envelopes vs the document's samples, auth,
faults."""

import pytest

from integrations.exceptions import ProviderAuthFailed, ProviderRejected, ProviderUnavailable
from integrations.komship.client import KomshipClient, jwt_expiry
from integrations.sandbox_kit import FaultPlan
from tests.integrations.contract import assert_same_shape
from tests.integrations.komship.conftest import DEMO_TOKEN, sample

pytestmark = pytest.mark.urls("tests.integrations.komship.urls")
PARTNER = "10021"


# Envelopes against the seed's samples -------------------------------------------------------------------


def test_login_matches_samples(base_url):
    client = KomshipClient(base_url=base_url, username="tatausaha", password="12345678a", timeout=(2, 5))
    response = client.login()
    # The seed's Login sample collapses `data`; the expanded rendering (wire §2.2) is abridged.
    assert_same_shape(response, sample("login_response.json"), exact_keys=False)
    assert_same_shape(response, sample("login_response_expanded_abridged.json"), exact_keys=False)
    assert set(response) == {"status", "code", "data"}
    assert client.token == response["data"]["access_token"]
    assert client.expires_at is not None and client.expires_at == jwt_expiry(client.token).replace(microsecond=0)


def test_refresh_matches_sample(base_url):
    client = KomshipClient(base_url=base_url, username="tatausaha", password="12345678a", timeout=(2, 5))
    client.login()
    old = client.token
    assert_same_shape(client.refresh_token(), sample("refresh_token_response.json"))
    assert client.token != old


@pytest.mark.parametrize(("call", "sample_name", "exact"), [
    (lambda c: c.list_orders(PARTNER, limit=5, offset=0), "orders_list_response.json", True),
    (lambda c: c.list_products(limits=5, offset=0), "products_list_response.json", True),
    (lambda c: c.cart(), "cart_list_response.json", True),
    (lambda c: c.partners(), "partner_list_response.json", True),
    (lambda c: c.destinations("40135"), "destination_response.json", True),
    (lambda c: c.check_product_sku("NOPE-SKU"), "product_check_sku_response.json", True),
    (lambda c: c.check_product_name("Tidak Ada Produk Ini"), "product_check_name_response.json", True),
    # `data` is collapsed in these samples: the sandbox's keys inside it are checked elsewhere.
    (lambda c: c.order_detail(PARTNER, "100001"), "order_detail_response.json", False),
    (lambda c: c.product_detail("5001"), "product_detail_response.json", False),
])
def test_read_envelopes_match_samples(client, call, sample_name, exact):
    response = call(client)
    assert_same_shape(response, sample(sample_name), exact_keys=exact)
    if exact:
        assert set(response) == set(sample(sample_name))


def test_write_envelopes_match_samples(client, sandbox):
    created = client.create_product({**sample("product_store_request.json"), "sku": "JBB-77"}, status=1)
    # The seed sample shows the message only; the dashboard's source reads data.product_id as well.
    assert_same_shape(created, sample("product_store_response.json"), exact_keys=False)
    product_id = created["data"]["product_id"]
    assert_same_shape(client.update_product(str(product_id), sample("product_update_request.json")),
                      sample("product_update_response.json"))
    assert_same_shape(client.update_multiple_stock([{"product_id": product_id, "variant_id": 0, "stock": 9}]),
                      sample("multiple_stock_response.json"))
    assert sandbox.products[product_id]["stock"] == 9
    assert_same_shape(client.delete_product(str(product_id)), sample("product_delete_response.json"))

    item = {"product_id": 5008, "product_name": "Tas", "variant_id": 0, "variant_name": "", "product_price": 85000,
            "qty": 1, "subtotal": 85000}
    assert set(item) == set(sample("cart_store_request.json"))
    assert_same_shape(client.cart_bulk_store([item]), sample("cart_bulk_store_response.json"))
    cart_id = client.cart()["data"][0]["cart_id"]
    assert_same_shape(client.cart_delete([cart_id]), sample("cart_delete_response.json"))
    assert client.cart()["data"] == []

    client.cart_bulk_store([item])
    cart_id = client.cart()["data"][0]["cart_id"]
    body = {**sample("order_store_v3_request.json"), "customer_name": "Siti Rahma", "customer_phone": "081234567890",
            "customer_destination_id": 4000, "detail_address": "Jl. Dago No. 1", "shipping": "JNE",
            "payment_method": "COD", "cart": [cart_id]}
    assert_same_shape(client.store_order(PARTNER, body), sample("order_store_v3_response.json"))
    client.cart_bulk_store([item])
    body_v2 = {**sample("order_store_v2_request.json"), **{k: body[k] for k in (
        "customer_name", "customer_phone", "customer_destination_id", "detail_address", "shipping",
        "payment_method")}, "cart": [client.cart()["data"][0]["cart_id"]]}
    assert_same_shape(client.store_order(PARTNER, body_v2, version="v2"), sample("order_store_v2_response.json"))

    newest = client.list_orders(PARTNER, limit=2, offset=0)["data"]
    assert [o["order_status"] for o in newest] == ["Diajukan", "Diajukan"]
    assert_same_shape(client.delete_order(PARTNER, str(newest[0]["order_id"])), sample("order_delete_response.json"))

    row = {k: v for k, v in body.items() if k != "cart"}
    row["product"] = [{"product_id": 5008, "variant_id": 0, "product_name": "Tas", "variant_name": "",
                       "product_price": 85000, "qty": 2}]
    mass = client.store_order_mass([row, {**row, "customer_name": "Agus Salim"}])
    assert_same_shape(mass, sample("order_mass_response.json"))
    assert set(sample("order_mass_request.json")) == {"options", "data"}  # the sample prints data as ""


def test_sandbox_refuses_in_the_documented_error_shape(client):
    shipped = next(o for o in client.list_orders(PARTNER, limit=100, offset=0)["data"]
                   if o["order_status"] in ("Dikirim", "Diterima"))
    with pytest.raises(ProviderRejected) as caught:
        client.delete_order(PARTNER, str(shipped["order_id"]))
    assert caught.value.status_code == 400
    assert set(caught.value.payload) == {"status", "code", "message"}
    assert caught.value.payload["status"] == "failed" and caught.value.payload["code"] == 400
    with pytest.raises(ProviderRejected) as missing:
        client.order_detail(PARTNER, "999999")
    assert missing.value.status_code == 404
    with pytest.raises(ProviderRejected) as invalid:
        client.store_order(PARTNER, {"cart": []})
    assert invalid.value.status_code == 422 and "cart" in invalid.value.payload["errors"]


def test_page_size_is_clamped_and_filters_honoured(client, sandbox):
    assert len(client.list_orders(PARTNER, limit=500, offset=0)["data"]) == 100
    cod = client.list_orders(PARTNER, limit=100, offset=0, payment_method="COD")["data"]
    assert cod and {o["payment_method"] for o in cod} == {"COD"}
    by_code = client.list_orders(PARTNER, limit=100, offset=0, order_status=2)["data"]
    assert by_code and {o["order_status"] for o in by_code} == {"Diterima"}
    by_word = client.list_orders(PARTNER, limit=100, offset=0, order_status="Dipacking")["data"]
    assert {o["order_status"] for o in by_word} <= {"Dipacking"}
    paginator = client.list_orders_v1(PARTNER, page=2)["data"]
    assert paginator["current_page"] == 2 and paginator["total"] == 237 and len(paginator["data"]) == 15


# Auth ---------------------------------------------------------------------------------------------------


def test_wrong_token_is_auth_failed(base_url):
    client = KomshipClient(base_url=base_url, token="not-a-token", timeout=(2, 5))
    with pytest.raises(ProviderAuthFailed) as caught:
        client.list_orders(PARTNER, limit=1, offset=0)
    assert caught.value.status_code == 401
    assert caught.value.payload == {"status": "error", "code": 401, "message": "Unauthenticated."}


def test_wrong_password_is_auth_failed(base_url):
    client = KomshipClient(base_url=base_url, username="tatausaha", password="salah", timeout=(2, 5))
    with pytest.raises(ProviderAuthFailed):
        client.list_orders(PARTNER, limit=1, offset=0)


def test_expired_token_is_refreshed_on_401(base_url, sandbox):
    token, _ = sandbox.issue_token("tatausaha")
    sandbox.expire(token)
    changed = []
    client = KomshipClient(base_url=base_url, token=token, timeout=(2, 5), on_credentials_changed=changed.append)
    client.expires_at = None  # the client does not know: the 401 tells it
    assert len(client.list_orders(PARTNER, limit=3, offset=0)["data"]) == 3
    assert len(changed) == 1 and changed[0]["token"] == client.token != token
    assert changed[0]["expires_at"]
    assert client.token in sandbox.issued and token not in sandbox.issued


def test_known_expiry_refreshes_before_the_call(base_url, sandbox):
    sandbox.token_ttl = 30  # inside the client's 60 s margin: refreshed before use
    changed = []
    client = KomshipClient(base_url=base_url, username="tatausaha", password="12345678a", timeout=(2, 5),
                           on_credentials_changed=changed.append)
    client.login()
    sandbox.token_ttl = 3600
    before = sandbox.stats["requests"]
    client.list_orders(PARTNER, limit=1, offset=0)
    assert sandbox.stats["requests"] - before == 2  # refresh-token, then the list: no 401 on the way
    assert len(changed) == 2


def test_refused_refresh_falls_back_to_login(base_url, sandbox):
    changed = []
    client = KomshipClient(base_url=base_url, token="forgotten-token", username="tatausaha",
                           password="12345678a", timeout=(2, 5), on_credentials_changed=changed.append)
    assert client.list_orders(PARTNER, limit=1, offset=0)["data"]
    assert changed and changed[-1]["token"] == client.token


# Faults -------------------------------------------------------------------------------------------------


def _client_that_heals(base_url, sandbox, sleeps, **kwargs):
    def sleep(seconds):
        sleeps.append(seconds)
        sandbox.set_faults(FaultPlan())  # the next attempt meets a healthy server

    return KomshipClient(base_url=base_url, token=DEMO_TOKEN, sleep=sleep, **kwargs)


@pytest.mark.parametrize("kind", ["500", "429", "slow", "reset"])
def test_get_is_retried_after_a_fault(base_url, sandbox, kind):
    sleeps = []
    client = _client_that_heals(base_url, sandbox, sleeps, timeout=(2, 0.5))
    sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=(kind,), retry_after=1, slow_seconds=1.0))
    response = client.list_orders(PARTNER, limit=5, offset=0)
    assert len(response["data"]) == 5
    assert sandbox.stats[f"fault_{kind}"] == 1
    assert len(sleeps) == 1
    if kind == "429":
        assert sleeps == [1.0]  # Retry-After honoured


def test_post_is_not_retried(base_url, sandbox):
    sleeps = []
    client = _client_that_heals(base_url, sandbox, sleeps, timeout=(2, 5))
    count = len(sandbox.orders)
    sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=("500",)))
    with pytest.raises(ProviderUnavailable):
        client.store_order(PARTNER, {"cart": [1]})
    assert sleeps == [] and sandbox.stats["fault_500"] == 1 and sandbox.stats["requests"] == 1
    assert len(sandbox.orders) == count
