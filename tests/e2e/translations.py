"""What a person reads must be in the language they chose: visible text that is one of our English msgids
while the screen is in Indonesian (or one of our Indonesian translations while it is in English) is a
string that escaped translation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = [ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po",
            ROOT / "locale" / "vendor" / "id" / "LC_MESSAGES" / "django.po"]
# %(name)s, %(count)d, %(seconds).1f, %s, %d, {name}
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{[a-z_]+\}")
MIN_LETTERS = 8  # a pattern with fewer literal letters than this ("%(a)s: %(b)s") would match anything


@dataclass(frozen=True)
class Forbidden:
    exact: frozenset[str]
    pattern: re.Pattern | None

    def matches(self, text: str) -> bool:
        return text in self.exact or bool(self.pattern and self.pattern.fullmatch(text))


def _pairs() -> list[tuple[str, str]]:
    """(English, Indonesian) for every translated message of our catalogs, plural forms included."""
    pairs = []
    for path in CATALOGS:
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete or entry.fuzzy:
                continue
            if entry.msgid_plural:
                forms = entry.msgstr_plural
                translated = forms.get(0) or ""
                pairs += [(entry.msgid, translated), (entry.msgid_plural, forms.get(1) or translated)]
            else:
                pairs.append((entry.msgid, entry.msgstr))
    return [(_norm(en), _norm(id_)) for en, id_ in pairs if en.strip() and id_.strip()]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _build(wrong: list[str], right: set[str]) -> Forbidden:
    # A text that is a correct string of the screen's language as well (same word in both, or another
    # message's translation) proves nothing; leave it out.
    candidates = {text for text in wrong if text not in right}
    exact = frozenset(t for t in candidates if not PLACEHOLDER.search(t))
    patterns = []
    for text in sorted(candidates - exact):
        literal = PLACEHOLDER.sub("", text)
        if sum(ch.isalpha() for ch in literal) < MIN_LETTERS:
            continue
        parts = PLACEHOLDER.split(text)
        patterns.append(".+?".join(re.escape(p) for p in parts))
    return Forbidden(exact, re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None)


@cache
def forbidden(language: str) -> Forbidden:
    """Texts that must not be visible when the screen is in `language` ("id" or "en")."""
    # Django shows verbose names with a capital first letter ("label" -> "Label"): compare without case, and
    # count the capitalised forms as correct text of their language too.
    pairs = [(en, id_) for en, id_ in _pairs() if en.casefold() != id_.casefold()]
    english = {form for en, _ in _pairs() for form in (en, en[:1].upper() + en[1:])}
    indonesian = {form for _, id_ in _pairs() for form in (id_, id_[:1].upper() + id_[1:])}
    if language == "id":
        return _build([en for en, _ in pairs], indonesian)
    if language == "en":
        return _build([id_ for _, id_ in pairs], english)
    raise ValueError(f"no check for language {language!r}")


VISIBLE_TEXTS_JS = """() => {
    const out = [];
    const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
        const el = node.parentElement;
        if (!el || skip.has(el.tagName)) continue;
        const text = node.textContent.replace(/\\s+/g, " ").trim();
        if (!text) continue;
        const owner = el.closest("select") || el;  // options of a closed select count as visible
        if (!owner.checkVisibility({visibilityProperty: true})) continue;
        out.push(text);
    }
    for (const el of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
        if (el.placeholder.trim() && el.checkVisibility({visibilityProperty: true})) out.push(el.placeholder.trim());
    }
    for (const el of document.querySelectorAll("input[type=submit], input[type=button]")) {
        if (el.value.trim() && el.checkVisibility({visibilityProperty: true})) out.push(el.value.trim());
    }
    if (document.title.trim()) out.push(document.title.replace(/\\s+/g, " ").trim());
    return out;
}"""


def untranslated_texts(page, language: str, *, allow: frozenset[str] = frozenset()) -> list[str]:
    """Visible texts of `page` that belong to the other language; empty when the screen is consistent."""
    rule = forbidden(language)
    found = []
    for text in page.evaluate(VISIBLE_TEXTS_JS):
        if text not in allow and rule.matches(text) and text not in found:
            found.append(text)
    return found
