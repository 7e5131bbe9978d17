"""The checks every browser test relies on can fail: a missing stylesheet is caught, and so is a string of the
other language on the screen."""

from django.conf import settings

from tests.e2e.support import E2E, expect, goto
from tests.e2e.translations import untranslated_texts

pytestmark = E2E

ADD_TEXT = """(text) => {
    const p = document.createElement("p"); p.textContent = text; document.body.prepend(p);
}"""


def test_a_missing_stylesheet_is_caught(page, demo):
    goto(page, "/admin/login/")

    with page.expect_response("**/static/e2e-missing.css"):
        page.evaluate("""() => {
            const link = document.createElement("link");
            link.rel = "stylesheet"; link.href = "/static/e2e-missing.css"; document.head.appendChild(link);
        }""")

    assert page.watch.problems == [f"404 for stylesheet {page.url.split('/admin/')[0]}/static/e2e-missing.css"]
    page.watch.problems.clear()


def test_english_on_an_indonesian_screen_and_indonesian_on_an_english_one_are_caught(page, demo):
    goto(page, "/admin/login/")
    assert untranslated_texts(page, "en") == []
    page.evaluate(ADD_TEXT, "Penarikan dana menunggu peninjauan")
    assert untranslated_texts(page, "en") == ["Penarikan dana menunggu peninjauan"]

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "id",
                               "domain": "localhost", "path": "/"}])
    goto(page, "/admin/login/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert untranslated_texts(page, "id") == []
    page.evaluate(ADD_TEXT, "Withdrawals awaiting review")
    page.evaluate(ADD_TEXT, "Withdrawals put on review: 3.")  # a message with a placeholder

    assert sorted(untranslated_texts(page, "id")) == ["Withdrawals awaiting review", "Withdrawals put on review: 3."]
