"""Can concurrent staff actions pay a withdrawal twice or break the ledger?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/withdrawal_race.py --trials 1000

Needs an EMPTY PostgreSQL database in DATABASE_URL (it refuses one that already holds orders); it migrates
it. Each trial makes a fresh seller with a funded balance and a verified bank account, then releases
threads together through a threading.Barrier; every thread has its own database connection (Django's
connections are per thread) and calls the same services the admin calls:

- double_approve: two approvers approve the same withdrawal on review;
- double_pay: two payers mark the same approved withdrawal paid;
- pay_while_cancel: one thread approves then pays a withdrawal on review while another cancels it;
- request_beyond_balance: four requests of 60 % of the balance each arrive at once.

After each trial the seller's ledger is checked: available == sum(amount) and held == sum(held_amount),
neither negative; at most one payout entry per withdrawal and never a payout together with a release; a
completed withdrawal has its payout, a canceled / rejected one its release, an open one neither; held ==
the amounts of the open withdrawals. A pay call that succeeded twice for one withdrawal, or two payout or
release entries, is a double payout.

Progress goes to stderr; the last line on stdout is one JSON object with trials, double_payouts and
invariant_violations (both must be 0), the outcomes per scenario and the time taken. Exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import log, make_workdir, require_empty_database, setup_django

SCENARIOS = ("double_approve", "double_pay", "pay_while_cancel", "request_beyond_balance")
FUNDS = Decimal("1000000")
THREADS = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=1000, help="trials, spread over the scenarios (default 1000)")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, help="only this scenario (repeatable)")
    args = parser.parse_args()
    if args.trials < 1:
        sys.exit("--trials must be at least 1")
    started = time.perf_counter()
    workdir = make_workdir()
    try:
        setup_django(workdir)
        result = run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result), flush=True)
    if result["double_payouts"] or result["invariant_violations"] or result["unexpected_errors"]:
        sys.exit(1)


class Staff:
    """Users in the real roles: approvers may approve but not pay; payers may pay but not approve."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from common.roles import ROLE_NAMES

        user_model = get_user_model()

        def user(name: str, role: str):
            made, _ = user_model.objects.get_or_create(username=f"race-{name}", defaults={"is_staff": True})
            made.groups.add(Group.objects.get(name=ROLE_NAMES[role]))
            return user_model.objects.get(pk=made.pk)  # fresh permission cache

        self.approvers = [user("approver1", "finance_approver"), user("approver2", "finance_approver")]
        self.payers = [user("payer1", "finance"), user("payer2", "finance")]
        self.admin, _ = user_model.objects.get_or_create(username="race-admin",
                                                         defaults={"is_staff": True, "is_superuser": True})


def make_seller(number: int, staff: Staff):
    from finance.models import LedgerEntry
    from finance.services import bank_account_add, bank_account_verify, ledger_post
    from sellers.models import Seller

    seller = Seller.objects.create(code=f"RACE{number:06d}", name=f"Toko Balapan {number}")
    ledger_post(seller=seller, entry_type=LedgerEntry.Type.COD_CREDIT, amount=FUNDS,
                posting_key=f"race:{number}:fund")
    account = bank_account_add(seller=seller, bank_code="bca", account_number=f"88{number:08d}",
                               holder_name=seller.name, acting_user=staff.admin)
    bank_account_verify(bank_account=account, acting_user=staff.admin)
    return seller, account


def race(pool: ThreadPoolExecutor, calls: list) -> list[tuple[str, object]]:
    """Run the calls at the same moment in separate threads (and connections); ("ok"|"refused", value)."""
    from django.db import connection

    from common.exceptions import ApplicationError

    barrier = threading.Barrier(len(calls))

    def run_one(call):
        try:
            barrier.wait(timeout=30)
            return "ok", call()
        except ApplicationError as exc:
            return "refused", exc.code
        except Exception as exc:
            connection.close()
            return "error", f"{type(exc).__name__}: {exc}"

    return [future.result() for future in [pool.submit(run_one, call) for call in calls]]


def trial(number: int, scenario: str, staff: Staff, pool: ThreadPoolExecutor) -> dict:
    from finance.models import Withdrawal
    from finance.services import (
        withdrawal_approve,
        withdrawal_cancel,
        withdrawal_pay,
        withdrawal_request,
        withdrawal_review,
    )

    seller, account = make_seller(number, staff)
    approver, other_approver = staff.approvers
    payer, other_payer = staff.payers
    pays_ok = Counter()
    pays_lock = threading.Lock()

    def request(amount):
        return withdrawal_request(seller=seller, bank_account=account, amount=amount, acting_user=payer)

    def pay(withdrawal, user):
        def call():
            done = withdrawal_pay(withdrawal=Withdrawal.objects.get(pk=withdrawal.pk), acting_user=user,
                                  transfer_reference=f"TRF-{withdrawal.pk}-{user.pk}")
            with pays_lock:
                pays_ok[withdrawal.pk] += 1
            return done.status
        return call

    if scenario == "request_beyond_balance":
        amount = FUNDS * Decimal("0.6")
        outcomes = race(pool, [lambda: request(amount).pk for _ in range(THREADS)])
    else:
        withdrawal = request(Decimal("250000"))
        withdrawal_review(withdrawal=withdrawal, acting_user=approver)
        if scenario == "double_approve":
            outcomes = race(pool, [
                lambda user=user: withdrawal_approve(withdrawal=Withdrawal.objects.get(pk=withdrawal.pk),
                                                     acting_user=user).status
                for user in (approver, other_approver)])
        elif scenario == "double_pay":
            withdrawal_approve(withdrawal=withdrawal, acting_user=approver)
            outcomes = race(pool, [pay(withdrawal, payer), pay(withdrawal, other_payer)])
        else:  # pay_while_cancel
            def approve_then_pay():
                withdrawal_approve(withdrawal=Withdrawal.objects.get(pk=withdrawal.pk), acting_user=approver)
                return pay(withdrawal, payer)()

            outcomes = race(pool, [
                approve_then_pay,
                lambda: withdrawal_cancel(withdrawal=Withdrawal.objects.get(pk=withdrawal.pk),
                                          acting_user=other_payer).status,
            ])
    problems = check_seller(seller)
    double = sum(1 for count in pays_ok.values() if count > 1) + problems.pop("double_payout_entries", 0)
    return {"outcomes": [kind for kind, _ in outcomes], "errors": [v for k, v in outcomes if k == "error"],
            "double_payouts": double, "violations": problems}


def check_seller(seller) -> dict:
    """The ledger invariants of one seller; {name: count} of what is broken (empty when all hold)."""
    from django.db.models import Count, Q, Sum

    from finance.models import LedgerEntry, SellerBalance, Withdrawal

    problems: Counter = Counter()
    balance = SellerBalance.objects.get(seller=seller)
    sums = LedgerEntry.objects.filter(seller=seller).aggregate(a=Sum("amount"), h=Sum("held_amount"))
    if balance.available != (sums["a"] or 0) or balance.held != (sums["h"] or 0):
        problems["balance_not_sum_of_entries"] += 1
    if balance.available < 0 or balance.held < 0:
        problems["negative_balance"] += 1
    W = Withdrawal.Status
    open_amount = Decimal("0")
    withdrawals = Withdrawal.objects.filter(seller=seller)
    for withdrawal in withdrawals:
        entries = LedgerEntry.objects.filter(posting_key__startswith=f"withdrawal:{withdrawal.pk}:").aggregate(
            payouts=Count("id", filter=Q(entry_type=LedgerEntry.Type.WITHDRAWAL)),
            releases=Count("id", filter=Q(entry_type=LedgerEntry.Type.WITHDRAWAL_RELEASE)),
            holds=Count("id", filter=Q(entry_type=LedgerEntry.Type.WITHDRAWAL_HOLD)),
        )
        if entries["payouts"] > 1 or (entries["payouts"] and entries["releases"]):
            problems["double_payout_entries"] += 1
        if entries["holds"] != 1:
            problems["hold_not_once"] += 1
        expected = {W.COMPLETED: (1, 0), W.CANCELED: (0, 1), W.REJECTED: (0, 1)}.get(withdrawal.status, (0, 0))
        if (entries["payouts"], entries["releases"]) != expected:
            problems["status_and_entries_disagree"] += 1
        if withdrawal.status in (W.REQUESTED, W.ON_REVIEW, W.APPROVED):
            open_amount += withdrawal.amount
        if withdrawal.status == W.COMPLETED and withdrawal.paid_by_id == withdrawal.approved_by_id:
            problems["maker_checker_broken"] += 1
    if balance.held != open_amount:
        problems["held_not_open_withdrawals"] += 1
    total_out = sum((w.amount for w in withdrawals if w.status != W.CANCELED and w.status != W.REJECTED),
                    Decimal("0"))
    if total_out > FUNDS:
        problems["withdrawn_beyond_balance"] += 1
    return dict(problems)


def run(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    require_empty_database()
    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    staff = Staff()
    scenarios = tuple(args.scenario or SCENARIOS)
    outcomes: dict[str, Counter] = {name: Counter() for name in scenarios}
    violations: Counter = Counter()
    errors: list[str] = []
    double_payouts = 0
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="race") as pool:
        for number in range(1, args.trials + 1):
            scenario = scenarios[(number - 1) % len(scenarios)]
            result = trial(number, scenario, staff, pool)
            outcomes[scenario]["+".join(sorted(result["outcomes"]))] += 1
            violations.update(result["violations"])
            double_payouts += result["double_payouts"]
            errors.extend(result["errors"][:3])
            if number % 100 == 0 or number == args.trials:
                log(f"trial {number}/{args.trials}: double payouts {double_payouts}, "
                    f"violations {sum(violations.values())}, errors {len(errors)}")
        closing = threading.Barrier(THREADS)

        def close_own_connection():  # every worker thread closes its own connection
            closing.wait(timeout=30)
            from django.db import connection as own

            own.close()

        for future in [pool.submit(close_own_connection) for _ in range(THREADS)]:
            future.result()
    connection.close()
    seconds = time.perf_counter() - t0
    return {
        "bench": "withdrawal_race",
        "trials": args.trials,
        "double_payouts": double_payouts,
        "invariant_violations": sum(violations.values()),
        "violations_by_kind": dict(violations),
        "unexpected_errors": len(errors),
        "first_errors": errors[:5],
        "outcomes": {name: dict(counter) for name, counter in outcomes.items()},
        "threads": THREADS,
        "trials_per_second": round(args.trials / seconds, 1) if seconds else None,
    }


if __name__ == "__main__":
    main()
