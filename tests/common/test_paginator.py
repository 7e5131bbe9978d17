import pytest
from django.db import connection

from common.admin import EstimatedCountPaginator
from sellers.models import Seller

pytestmark = pytest.mark.django_db


def make_sellers(count: int, start: int = 0, status=Seller.Status.ACTIVE) -> None:
    Seller.objects.bulk_create(
        Seller(code=f"P{start + i:05d}", name=f"Toko {start + i}", status=status) for i in range(count)
    )


def analyze(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


def test_unfiltered_big_table_counts_with_the_planner_estimate(settings, django_assert_num_queries):
    settings.ADMIN_ESTIMATED_COUNT_THRESHOLD = 100
    make_sellers(300)
    analyze("sellers_seller")
    make_sellers(50, start=300)  # after ANALYZE: the estimate still says 300, COUNT(*) would say 350

    paginator = EstimatedCountPaginator(Seller.objects.all(), 50)
    with django_assert_num_queries(1) as captured:
        count = paginator.count

    assert count == 300
    assert "reltuples" in captured.captured_queries[0]["sql"]
    assert "COUNT(" not in captured.captured_queries[0]["sql"].upper()
    assert paginator.num_pages == 6


def test_filtered_queryset_planned_above_the_threshold_counts_with_the_planner_estimate(
    settings, django_assert_num_queries
):
    settings.ADMIN_ESTIMATED_COUNT_THRESHOLD = 100
    make_sellers(300, status=Seller.Status.SUSPENDED)
    make_sellers(20, start=300)
    analyze("sellers_seller")

    paginator = EstimatedCountPaginator(Seller.objects.filter(status=Seller.Status.SUSPENDED), 50)
    with django_assert_num_queries(1) as captured:
        count = paginator.count

    assert captured.captured_queries[0]["sql"].startswith("EXPLAIN")
    assert 250 <= count <= 350  # the planner's estimate, not an exact COUNT(*)


def test_filtered_queryset_planned_below_the_threshold_counts_exactly(settings):
    settings.ADMIN_ESTIMATED_COUNT_THRESHOLD = 100
    make_sellers(300)
    make_sellers(40, start=300, status=Seller.Status.SUSPENDED)
    analyze("sellers_seller")
    make_sellers(5, start=400, status=Seller.Status.SUSPENDED)

    paginator = EstimatedCountPaginator(Seller.objects.filter(status=Seller.Status.SUSPENDED), 50)

    assert paginator.count == 45


def test_small_table_below_the_threshold_counts_exactly(settings):
    settings.ADMIN_ESTIMATED_COUNT_THRESHOLD = 10_000
    make_sellers(300)
    analyze("sellers_seller")
    make_sellers(7, start=300)

    assert EstimatedCountPaginator(Seller.objects.all(), 50).count == 307


def test_an_estimate_is_rounded_and_shown_as_approximate(settings):
    settings.ADMIN_ESTIMATED_COUNT_THRESHOLD = 100
    make_sellers(1234)
    analyze("sellers_seller")

    count = EstimatedCountPaginator(Seller.objects.all(), 50).count

    assert count == 1230 and isinstance(count, int)
    assert str(count) == "≈ 1230"
    assert f"{count} selected" == "≈ 1230 selected"


def test_an_exact_count_is_shown_as_is(settings):
    settings.ADMIN_ESTIMATED_COUNT_THRESHOLD = 10_000
    make_sellers(1234)
    analyze("sellers_seller")

    assert str(EstimatedCountPaginator(Seller.objects.all(), 50).count) == "1234"


def test_the_order_list_shows_its_estimated_count_as_approximate(settings, admin_client_logged_in):
    from tests.factories import OrderFactory

    settings.ADMIN_ESTIMATED_COUNT_THRESHOLD = 100
    seller = Seller.objects.create(code="EST01", name="Toko Estimasi")
    for _ in range(120):
        OrderFactory(seller=seller, customer__seller=seller)
    analyze("orders_order")

    html = admin_client_logged_in.get("/admin/orders/order/").content.decode()

    assert "≈ 120 results" in html
    assert "Select all ≈ 120 orders" in html
    assert "All ≈ 120 selected" in html  # the admin's own "%(total_count)s" text
