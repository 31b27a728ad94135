"""The message catalogs: negotiation, formatting, `casework i18n check` (and that it fails on a
broken catalog), and that the hand-written tables are gone."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from casework.i18n import (
    LOCALE_DIR,
    copy_language,
    format_date,
    format_number,
    gettext_for,
    negotiate,
    supported,
)
from casework.i18n.copies import languages_for
from casework.i18n.tools import REVIEW_NOTE, check_all, extract, translatable
from casework.portal.labels import ACTIVITIES
from forms.activities import OTHER_RELATED, OTHER_RELATED_LABEL, T_TYPE_LABELS, U_ACTIVITY_LABELS

ROOT = Path(__file__).resolve().parents[1]
LANGS = [lang for lang in supported() if lang != "en"]


def test_supported_languages_are_the_catalogs() -> None:
    assert supported() == ("en", "es", "pt_BR", "vi")
    for lang in LANGS:
        assert (LOCALE_DIR / lang / "LC_MESSAGES" / "casework.po").is_file()
        assert (LOCALE_DIR / lang / "LC_MESSAGES" / "casework.mo").is_file()  # setup compiled it


def test_no_compiled_catalog_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "casework/locale"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert tracked and not [f for f in tracked if f.endswith(".mo")]
    assert "casework/locale/casework.pot" in tracked


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("pt-BR", None, "en", "pt_BR"),
        ("pt_BR", None, None, "pt_BR"),
        ("vi", "es", None, "vi"),
        ("xx", "es", "vi", "es"),  # an unknown ?lang= falls through to the cookie
        (None, None, "es-MX,es;q=0.9,en;q=0.5", "es"),
        (None, None, "fr-FR,pt-PT;q=0.8,en;q=0.5", "pt_BR"),  # pt-PT: the Portuguese we have
        (None, None, "fr,de;q=0.9", "en"),
        (None, None, "vi;q=0,es;q=0.2", "es"),  # q=0 means "not this one"
        (None, None, "", "en"),
        (None, None, "x" * 5000, "en"),
    ],
)
def test_negotiation(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert negotiate(query, cookie, header) == expected


def test_copy_language_of_a_victim() -> None:
    assert copy_language("pt") == "pt_BR" and copy_language("pt-BR") == "pt_BR"
    assert copy_language("vi") == "vi" and copy_language("es") == "es"
    assert (
        copy_language("en") is None and copy_language("ht") is None and copy_language(None) is None
    )
    ht = languages_for("ht")
    assert ht.copy is None and ht.unsupported == "Haitian Creole" and ht.record == "en+note"
    other = languages_for("und", "Kʼicheʼ")
    assert other.unsupported == "Kʼicheʼ" and other.content_language == "en"
    assert languages_for("und").note() and languages_for("en").note() is None
    assert languages_for("pt").content_language == "en, pt-BR"


def test_dates_and_numbers_for_the_locale() -> None:
    day = dt.date(2026, 6, 30)
    assert format_date(day, "en") == "June 30, 2026"
    assert format_date(day, "es") == "30 de junio de 2026"
    assert format_date(day, "pt_BR") == "30 de junho de 2026"
    assert "2026" in format_date(day, "vi") and "6" in format_date(day, "vi")
    assert format_number(2.5, "en") == "2.5" and format_number(2.5, "pt_BR") == "2,5"


def test_every_catalog_translates_every_message() -> None:
    template = translatable(extract())
    assert len(template) > 250
    for lang in LANGS:
        _ = gettext_for(lang)
        untranslated = [m.id for m in template if m.id and _(str(m.id)) == m.id]
        # the same text in both languages is fine only for a few short labels ("No", "Fax")
        short = [re.sub(r"%\(\w+\)s", "", str(m)) for m in untranslated]
        assert all(len(m) <= 12 for m in short), (lang, untranslated)


def test_activity_labels_are_the_forms_labels() -> None:
    expected = {**U_ACTIVITY_LABELS, OTHER_RELATED: OTHER_RELATED_LABEL, **T_TYPE_LABELS}
    assert expected == ACTIVITIES


def test_legal_terms() -> None:
    reason = "Reason for the delay (extenuating circumstances outside the department's control): %(reason)s"
    expected = {
        "es": "circunstancias extraordinarias",
        "pt_BR": "circunstâncias extraordinárias",
        "vi": "hoàn cảnh đặc biệt",
    }
    for lang, words in expected.items():
        text = gettext_for(lang)(reason, reason="x")
        assert words in text and "atenuante" not in text, (lang, text)


def test_the_hand_written_tables_are_gone() -> None:
    assert not (ROOT / "casework" / "portal" / "i18n.py").exists()
    sources = [p for p in (ROOT / "casework").rglob("*.py")] + list((ROOT / "forms").rglob("*.py"))
    for path in sources:
        text = path.read_text()
        assert "_ES_MESSAGES" not in text and "localize_message" not in text, path
        assert "_MONTHS_ES" not in text, path


def test_the_check_passes_on_the_committed_catalogs() -> None:
    assert check_all(extract()) == []
    done = subprocess.run(
        [sys.executable, "-m", "casework.i18n", "check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "3 catalog(s) complete" in done.stdout


def _broken_copy(tmp_path: Path) -> Path:
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.mo"))
    path = locale / "pt_BR" / "LC_MESSAGES" / "casework.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    catalog["Sincerely,"].string = ""  # missing
    catalog["Request status"].flags.add("fuzzy")  # fuzzy
    catalog["Dear %(name)s:"].string = "Prezado(a) %(nome)s,"  # placeholder renamed
    catalog["Submit a request"].string = "Enviar um pedido de certificação agora mesmo"  # > 30
    catalog.header_comment = "# Portuguese"  # the review note is gone
    del catalog["Send"]  # a message the source uses is not in the catalog at all
    with path.open("wb") as fh:
        write_po(fh, catalog)
    return locale


def test_the_check_fails_on_a_broken_catalog(tmp_path: Path) -> None:
    locale = _broken_copy(tmp_path)
    problems = [str(f) for f in check_all(extract(), locale)]
    joined = "\n".join(problems)
    assert all(p.startswith("pt_BR/") for p in problems), problems
    assert "'Sincerely,': missing translation" in joined
    assert "'Send': missing translation" in joined
    assert "'Request status': fuzzy" in joined
    assert "'Dear %(name)s:': placeholders differ" in joined
    assert "'Submit a request': longer than its layout allows (30 characters)" in joined
    assert REVIEW_NOTE in joined
    done = subprocess.run(
        [sys.executable, "-m", "casework.i18n", "check", "--locale-dir", str(locale)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "problem(s) in 3 catalog(s)" in done.stderr


def test_the_check_fails_when_the_source_gains_a_message(tmp_path: Path) -> None:
    template = extract()
    template.add("A sentence nobody has translated yet.", locations=[("casework/x.py", 1)])
    problems = [str(f) for f in check_all(template)]
    assert sum("A sentence nobody has translated yet." in p for p in problems) == 4  # pot + 3
