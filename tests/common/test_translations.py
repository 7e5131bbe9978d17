import importlib.util
import shutil
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


def load_checker():
    spec = importlib.util.spec_from_file_location("check_translations", ROOT / "scripts" / "check_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("catalogue", ["locale/id/LC_MESSAGES/django.po", "locale/vendor/id/LC_MESSAGES/django.po"])
def test_the_indonesian_catalogues_have_no_untranslated_or_fuzzy_entries(catalogue):
    checker = load_checker()
    assert checker.check_po(ROOT / catalogue, shutil.which("msgfmt") or "") == []


def test_a_catalogue_with_an_empty_translation_is_refused(tmp_path):
    broken = tmp_path / "django.po"
    broken.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Order"\nmsgstr ""\n')
    assert load_checker().check_po(broken, shutil.which("msgfmt") or "")


def test_the_interface_speaks_indonesian(admin_client_logged_in):
    response = admin_client_logged_in.get("/admin/orders/order/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pesanan" in page and "Cari" in page
    with translation.override("id"):
        assert str(translation.gettext("Ready to ship")) != "Ready to ship"


def test_the_language_switch_changes_the_interface(admin_client_logged_in):
    admin_client_logged_in.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    english = admin_client_logged_in.get("/admin/orders/order/").content.decode()
    admin_client_logged_in.post("/i18n/setlang/", {"language": "id", "next": "/admin/"})
    indonesian = admin_client_logged_in.get("/admin/orders/order/").content.decode()
    assert "Orders" in english and "Pesanan" in indonesian
