#!/usr/bin/env python3
"""Check every gettext catalogue (.po) under <project>/locale, recursively.

A catalogue fails if it contains:
  * an untranslated entry (empty msgstr, or any empty msgstr[n] of a plural entry),
  * a fuzzy entry (the "#, fuzzy" flag on the header entry is ignored, as
    Django's makemessages writes it there and msgfmt still uses the header),
  * an obsolete entry ("#~"): msgfmt drops those, so a translation that only
    lives in an obsolete entry is silently not applied,
  * or if `msgfmt --check` reports an error (format placeholders, plural
    forms, header, syntax).

Usage:  .venv/bin/python scripts/check_translations.py [LOCALE_DIR]
Exit status: 0 if every catalogue is clean, 1 otherwise (2 on usage errors).
Requires polib (installed in the project venv) and GNU gettext's msgfmt.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

try:
    import polib
except ImportError:  # pragma: no cover
    sys.stderr.write("polib is required: run this with the project venv (.venv/bin/python)\n")
    sys.exit(2)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOCALE_DIR = PROJECT_ROOT / "locale"


def short(text: str, limit: int = 70) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def where(entry: polib.POEntry) -> str:
    return f"line {entry.linenum}" if entry.linenum else "?"


def check_po(path: Path, msgfmt: str) -> list[str]:
    problems: list[str] = []
    try:
        po = polib.pofile(str(path), wrapwidth=0)
    except Exception as exc:  # unparsable file
        return [f"cannot parse: {exc}"]

    for entry in po:
        if entry.obsolete:
            problems.append(f"{where(entry)}: obsolete entry (#~): {short(entry.msgid)!r}")
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"{where(entry)}: fuzzy: {short(entry.msgid)!r}")
        if entry.msgid_plural:
            forms = entry.msgstr_plural or {}
            if not forms or any(not value for value in forms.values()):
                problems.append(f"{where(entry)}: untranslated (plural): {short(entry.msgid)!r}")
        elif not entry.msgstr:
            problems.append(f"{where(entry)}: untranslated: {short(entry.msgid)!r}")

    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        problems.append("msgfmt --check failed:\n      " + output.replace("\n", "\n      "))
    return problems


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        sys.stderr.write(__doc__)
        return 2
    locale_dir = Path(argv[1]) if len(argv) == 2 else DEFAULT_LOCALE_DIR
    if not locale_dir.is_dir():
        sys.stderr.write(f"not a directory: {locale_dir}\n")
        return 2
    msgfmt = shutil.which("msgfmt")
    if not msgfmt:
        sys.stderr.write("msgfmt (GNU gettext) not found on PATH\n")
        return 2

    po_files = sorted(locale_dir.rglob("*.po"))
    if not po_files:
        print(f"no .po files under {locale_dir}")
        return 0

    failed = 0
    for path in po_files:
        problems = check_po(path, msgfmt)
        try:
            label = path.relative_to(PROJECT_ROOT)
        except ValueError:
            label = path
        if problems:
            failed += 1
            print(f"FAIL {label} ({len(problems)} problem(s))")
            for problem in problems:
                print(f"    {problem}")
        else:
            print(f"OK   {label}")

    print(f"{len(po_files) - failed}/{len(po_files)} catalogue(s) OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
