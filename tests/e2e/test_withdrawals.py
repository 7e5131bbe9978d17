"""A withdrawal put on review and approved by the approver, who is then refused when trying to pay it; paid
with a transfer proof by someone else (finance)."""

from PIL import Image

from finance.forms import PAY_BUTTON
from finance.models import LedgerEntry, Withdrawal
from tests.e2e.support import (
    E2E,
    apply_filter,
    assert_translated,
    assert_translated_in_both_languages,
    expect,
    expect_message,
    log_in,
    log_out,
    open_change_page,
    open_changelist,
    result_rows,
    run_action,
    save_for_docs,
    submit,
    upload,
)

pytestmark = E2E


def requested_withdrawal() -> Withdrawal:
    return (Withdrawal.objects.filter(status=Withdrawal.Status.REQUESTED, bank_account__is_verified=True,
                                      bank_account__is_active=True, bank_account__changed_at__isnull=True)
            .select_related("seller").order_by("id").first())


def test_withdrawal_reviewed_approved_and_paid_by_two_people(page, demo, tmp_path):
    withdrawal = requested_withdrawal()
    proof = tmp_path / "bukti-transfer.png"
    Image.new("RGB", (320, 200), "white").save(proof)

    # Finance puts it on review.
    log_in(page, "finance", demo.password)
    open_changelist(page, "finance.withdrawal")
    apply_filter(page, "Requested")
    assert_translated_in_both_languages(page)
    run_action(page, "review", [withdrawal])
    expect_message(page, "Withdrawals put on review: 1.")
    log_out(page)

    # The approver approves it, and cannot pay it.
    log_in(page, "approver", demo.password)
    open_changelist(page, "finance.withdrawal", status__exact="on_review")
    run_action(page, "approve", [withdrawal])
    expect_message(page, "Withdrawals approved: 1.")
    open_change_page(page, withdrawal)
    expect(page.get_by_role("button", name="Mark paid")).to_have_count(0)
    expect(page.locator("input[name=transfer_reference]")).to_have_count(0)
    assert_translated_in_both_languages(page)
    # Sending the payout anyway (the button the screen does not offer) is refused, and nothing moves.
    page.evaluate("""(name) => {
        const button = document.createElement("button");
        button.type = "submit"; button.name = name; button.id = "forged-pay"; button.textContent = "pay";
        document.querySelector("form#withdrawal_form").appendChild(button);
    }""", PAY_BUTTON)
    submit(page, page.locator("#forged-pay"))
    expect(page.get_by_text("You do not have permission to mark withdrawals paid.")).to_be_visible()
    withdrawal.refresh_from_db()
    assert withdrawal.status == Withdrawal.Status.APPROVED and withdrawal.paid_by_id is None
    log_out(page)

    # Finance pays it with the bank's reference and the proof.
    log_in(page, "finance", demo.password)
    open_change_page(page, withdrawal)
    page.locator("input[name=transfer_reference]").fill("TRF20261129000777")
    upload(page, "transfer_proof", proof)
    save_for_docs(page, "admin-withdrawal-payout", centre=page.locator("input[name=transfer_reference]"))
    submit(page, "Mark paid")

    expect_message(page, "marked paid.")
    withdrawal.refresh_from_db()
    assert withdrawal.status == Withdrawal.Status.COMPLETED
    assert withdrawal.approved_by == demo.user("approver") and withdrawal.paid_by == demo.user("finance")
    assert withdrawal.transfer_reference == "TRF20261129000777"
    assert withdrawal.transfer_proof.name.endswith(".png") and withdrawal.transfer_proof.size == proof.stat().st_size
    assert LedgerEntry.objects.filter(posting_key=f"withdrawal:{withdrawal.pk}:payout",
                                      held_amount=-withdrawal.amount).count() == 1
    open_changelist(page, "finance.withdrawal", q=withdrawal.transfer_reference)
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text("Completed")
    assert_translated(page, "en")
