"""A ticket reply with an attachment by customer service: a PNG through the thread's reply form, saved, shown in
the thread with its link; a file of another type refused with the reason, and nothing added."""

from PIL import Image

from logistics.models import Ticket, TicketMessage
from tests.e2e.support import (
    E2E,
    assert_translated,
    assert_translated_in_both_languages,
    expect,
    expect_message,
    log_in,
    open_change_page,
    submit,
    upload,
)

pytestmark = E2E

ACTIVE = [Ticket.Status.OPEN, Ticket.Status.IN_PROGRESS, Ticket.Status.WAITING]


def cs_ticket(cs, *, skip=()) -> Ticket:
    """An open ticket of one of the sellers `cs` serves; one kept on our side first (no platform push)."""
    tickets = (Ticket.objects.filter(seller__staff_assignments__user=cs, status__in=ACTIVE)
               .exclude(pk__in=skip).distinct())
    return tickets.filter(account__isnull=True).order_by("id").first() or tickets.order_by("id").first()


def reply_fields(page):
    """The reply form at the end of the thread: its message box and the name of its file field."""
    return (page.locator("textarea[name$='-body']:not([name*=__prefix__])").last,
            page.locator("input[type=file][name$='-attachment']:not([name*=__prefix__])").last.get_attribute("name"))


def test_ticket_reply_with_an_attachment(page, demo, tmp_path):
    ticket = cs_ticket(demo.user("cs"))
    before = TicketMessage.objects.filter(ticket=ticket).count()
    screenshot = tmp_path / "bukti-paket-rusak.png"
    Image.new("RGB", (240, 160), "orange").save(screenshot)
    log_in(page, "cs", demo.password)
    open_change_page(page, ticket)
    assert_translated_in_both_languages(page, allow=_ticket_words(ticket, demo))

    body, file_field = reply_fields(page)
    body.fill("Mohon maaf atas kendalanya, foto paket sudah kami lampirkan.")
    upload(page, file_field, screenshot)
    submit(page, page.locator("button[name=_continue]").first)

    expect_message(page, "was changed successfully")
    messages = TicketMessage.objects.filter(ticket=ticket).order_by("id")
    assert messages.count() == before + 1
    reply = messages.last()
    assert reply.body.startswith("Mohon maaf") and reply.is_from_staff
    assert reply.attachment.name.endswith(".png") and reply.attachment.size == screenshot.stat().st_size
    link = page.locator(f"a[href$='{reply.attachment.name.rsplit('/', 1)[-1]}']").first
    expect(link).to_be_visible()
    expect(page.get_by_text("Mohon maaf atas kendalanya", exact=False).first).to_be_visible()
    assert_translated(page, "en", allow=_ticket_words(ticket, demo))


def test_ticket_reply_with_an_attachment_of_another_type_is_refused(page, demo, tmp_path):
    ticket = cs_ticket(demo.user("cs"))
    before = TicketMessage.objects.filter(ticket=ticket).count()
    sheet = tmp_path / "daftar-resi.txt"
    sheet.write_text("JNE0001\nJNE0002\n")
    log_in(page, "cs", demo.password)
    open_change_page(page, ticket)

    body, file_field = reply_fields(page)
    body.fill("Berikut daftar resinya.")
    upload(page, file_field, sheet)
    submit(page, page.locator("button[name=_continue]").first)

    expect(page.get_by_text("daftar-resi.txt is not a JPG, PNG or PDF file; only those can be attached.")
           ).to_be_visible()
    assert TicketMessage.objects.filter(ticket=ticket).count() == before
    assert not TicketMessage.objects.filter(ticket=ticket, body="Berikut daftar resinya.").exists()
    assert_translated(page, "en", allow=_ticket_words(ticket, demo))


def _ticket_words(ticket: Ticket, demo) -> list[str]:
    """What customers and sellers wrote, the platform's status word and the staff's user names (the assignee
    list) are data, shown as written."""
    words = [ticket.subject, ticket.platform_status, *demo.users]
    for message in TicketMessage.objects.filter(ticket=ticket):
        words += [message.body, message.author_name]
    return [w for w in words if w]
