"""Drawing documents as PDF with fpdf2 and the embedded Open Sans font.

Only the drawing lives here; what a document says comes from its snapshot (Document.content),
built by app/services/documents.py. The font is embedded as a TrueType subset so that Polish
letters (ą ć ę ł ń ó ś ź ż) come out right in every reader; the PDF core fonts cannot do that.

Open Sans has no Arabic and no Chinese letters, and a volunteer's name may be written in either:
when a document's data has a letter Open Sans lacks, fpdf2 takes each such letter from a fallback
font (Noto Sans Arabic, Noto Sans SC; both arrive with `pip install`, under the SIL Open Font
License), and HarfBuzz shapes the text so that Arabic letters join and run right to left.

The PDFs are tagged, so that a screen reader reads them in order and knows a heading from a
paragraph: every heading and paragraph is a marked-content sequence bound to an element of the
structure tree (H1, H2, P) and the page footer and the signature lines are artifacts. fpdf2 builds
a structure tree only for images and outline sections, so the text tagging here goes through its
structure-tree builder (FPDF._add_marked_content and FPDF.struct_builder); fpdf2 is pinned below
the next minor version for that reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import fontpkg_noto_sans_arabic
import pylopdf_fonts_zh_cn
import ttf_opensans
from flask_babel import get_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf import ViewerPreferences
from fpdf.fonts import TTFFont

from app.models import Document
from app.models import DocumentKind

FONT = "OpenSans"
ARABIC_FONT = "NotoSansArabic"
CHINESE_FONT = "NotoSansSC"
ARABIC_FONT_PATH = fontpkg_noto_sans_arabic.ROOT / "files" / "NotoSansArabic[wdth,wght].ttf"
CHINESE_FONT_PATH = pylopdf_fonts_zh_cn.sans_path()


def _day(value: str | date | None) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%d.%m.%Y")


def _hours(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


class _Pdf(FPDF):
    def __init__(self, number: str, code: str) -> None:
        super().__init__(format="A4")
        self.number = number
        self.code = code
        # The structure role of the paragraph being drawn, so that a page break in its middle
        # can close its marked content before the footer and open it again on the next page.
        self._open_role: str | None = None
        self.add_font(FONT, "", ttf_opensans.OPENSANS_REGULAR.path)
        self.add_font(FONT, "B", ttf_opensans.OPENSANS_BOLD.path)
        self.add_font(FONT, "I", ttf_opensans.OPENSANS_ITALIC.path)
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=22)

    def print_every_letter_of(self, texts: Iterable[str]) -> None:
        """Bring in the fallback fonts and shaping when a text has letters Open Sans lacks.

        Only then: the fallback fonts are large (Noto Sans SC alone is 8 MB), and loading,
        subsetting and shaping with them took a plain Polish document from about 0.2 s to 1 s.
        """
        font = self.fonts[FONT.lower()]
        assert isinstance(font, TTFFont)  # added from a file above, never a PDF core font
        cmap = font.cmap
        if all(ord(char) in cmap for text in texts for char in text if char.isprintable()):
            return
        # The Arabic font is variable; its default instance is the regular weight (400). A bold
        # instance would cost seconds of instancing per document, so bold Arabic prints regular.
        self.add_font(ARABIC_FONT, "", ARABIC_FONT_PATH)
        self.add_font(CHINESE_FONT, "", CHINESE_FONT_PATH)
        # Not an exact match: an italic or bold name still prints, in the upright face.
        self.set_fallback_fonts([ARABIC_FONT, CHINESE_FONT], exact_match=False)
        self.set_text_shaping(True)

    def _begin(self, role: str) -> None:
        mcid = self.struct_builder.next_mcid_for_page(self.page)
        self._add_marked_content(struct_type=f"/{role}", mcid=mcid)
        self._out(f"/{role} <</MCID {mcid}>> BDC")

    def _end(self) -> None:
        self._out("EMC")

    @contextmanager
    def tagged(self, role: str) -> Iterator[None]:
        """Draw the content inside as one structure element (H1, H2, P) of the document."""
        self._begin(role)
        self._open_role = role
        try:
            yield
        finally:
            self._open_role = None
            self._end()

    @contextmanager
    def artifact(self, kind: str = "Layout") -> Iterator[None]:
        """Draw the content inside as decoration that a screen reader skips."""
        self._out(f"/Artifact <</Type /{kind}>> BDC")
        try:
            yield
        finally:
            self._end()

    def header(self) -> None:
        # A paragraph that went over the page break goes on as a new element of the same role.
        if self._open_role:
            self._begin(self._open_role)

    def footer(self) -> None:
        if self._open_role:
            self._end()
        self.set_y(-16)
        self.set_font(FONT, "", 8)
        with self.artifact("Pagination"):
            self.cell(
                0,
                5,
                _(
                    "Nr %(number)s · kod weryfikacyjny %(code)s · strona %(page)d",
                    number=self.number,
                    code=self.code,
                    page=self.page_no(),
                ),
                align="C",
            )

    def heading(self, text: str) -> None:
        self.set_font(FONT, "B", 15)
        with self.tagged("H1"):
            self.multi_cell(0, 8, text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def section(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, "B", 11)
        with self.tagged("H2"):
            self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str, size: int = 10, style: str = "") -> None:
        self.set_font(FONT, style, size)
        with self.tagged("P"):
            self.multi_cell(0, 5.2, text, new_x="LMARGIN", new_y="NEXT")

    def signatures(self, left: str, right: str) -> None:
        self.ln(14)
        # The two places to sign stay together on one page.
        if self.will_page_break(18):
            self.add_page()
        self.set_font(FONT, "", 9)
        width = (self.w - self.l_margin - self.r_margin) / 2
        with self.artifact():
            self.cell(width, 5, "....................................................", align="C")
            self.cell(width, 5, "....................................................", align="C")
        self.ln(5)
        for label in (left, right):
            if label:
                with self.tagged("P"):
                    self.cell(width, 5, label, align="C")
            else:
                self.cell(width, 5, "")
        self.ln(8)


def _agreement(pdf: _Pdf, doc: Document) -> None:
    c = doc.content
    inst = c["institution"]
    vol = c["volunteer"]
    guardian = c.get("guardian")
    pdf.heading(_("POROZUMIENIE O WYKONYWANIU ŚWIADCZEŃ WOLONTARIUSZA"))
    pdf.para(
        _(
            "nr %(number)s, zawarte na podstawie art. 44 ustawy z dnia 24 kwietnia 2003 r. "
            "o działalności pożytku publicznego i o wolontariacie",
            number=doc.number,
        ),
        9,
        "I",
    )
    pdf.section(_("§ 1. Strony"))
    representative = c.get("representative") or "...................................."
    pdf.para(
        _(
            "Korzystający: %(name)s, adres: %(address)s, reprezentowany przez: %(rep)s.",
            name=inst["name"],
            address=inst.get("address") or "....................................",
            rep=representative,
        )
    )
    pdf.para(
        _(
            "Wolontariusz: %(name)s, data urodzenia: %(dob)s.",
            name=vol["name"],
            dob=_day(vol.get("date_of_birth")),
        )
    )
    if guardian:
        pdf.para(
            _(
                "Opiekun prawny wolontariusza: %(name)s, e-mail: %(email)s.",
                name=guardian.get("name") or "....................................",
                email=guardian.get("email") or "—",
            )
        )
        if guardian.get("concludes"):
            pdf.para(
                _(
                    "Wolontariusz nie ukończył 13 lat: porozumienie w jego imieniu zawiera "
                    "opiekun prawny."
                )
            )
        else:
            pdf.para(
                _(
                    "Wolontariusz jest niepełnoletni: porozumienie zawiera za pisemną zgodą "
                    "opiekuna prawnego."
                )
            )
    pdf.section(_("§ 2. Zakres świadczeń"))
    pdf.para(_("Potrzeba: %(title)s.", title=c["need_title"]))
    pdf.para(c.get("scope") or c["need_title"])
    pdf.section(_("§ 3. Sposób i czas wykonywania świadczeń"))
    pdf.para(
        _(
            "Okres: od %(start)s do %(end)s. Miejsce: %(place)s.",
            start=_day(doc.period_start),
            end=_day(doc.period_end),
            place=c.get("place") or inst["name"],
        )
    )
    shifts = c.get("shifts") or []
    if shifts:
        lines = [
            _("%(day)s, %(start)s–%(end)s", day=_day(s["day"]), start=s["start"], end=s["end"])
            for s in shifts[:40]
        ]
        if len(shifts) > 40:
            lines.append(_("oraz dalsze terminy (wszystkich terminów: %(num)d)", num=len(shifts)))
        pdf.para(_("Terminy (czas Warszawa): ") + "; ".join(lines) + ".")
    pdf.para(
        _(
            "Wolontariusz wykonuje świadczenia osobiście, w terminach uzgodnionych z "
            "Korzystającym, zgodnie z jego wskazówkami."
        )
    )
    pdf.section(_("§ 4. Rozwiązanie porozumienia"))
    pdf.para(
        _(
            "Każda ze stron może rozwiązać porozumienie z zachowaniem %(days)d-dniowego "
            "okresu wypowiedzenia, a w razie rażącego naruszenia jego postanowień — ze "
            "skutkiem natychmiastowym. Rozwiązanie wymaga formy pisemnej lub dokumentowej.",
            days=c.get("notice_days", 7),
        )
    )
    pdf.section(_("§ 5. Bezpieczeństwo i higiena pracy"))
    pdf.para(
        _(
            "Korzystający informuje wolontariusza o ryzyku dla zdrowia i bezpieczeństwa "
            "związanym z wykonywanymi świadczeniami, o zasadach ochrony przed zagrożeniami "
            "oraz o jego prawach i obowiązkach, i zapewnia mu bezpieczne i higieniczne "
            "warunki wykonywania świadczeń."
        )
    )
    if c.get("works_with_children"):
        pdf.para(
            _(
                "Świadczenia obejmują pracę z dziećmi: przed ich rozpoczęciem Korzystający "
                "sprawdza wolontariusza w Rejestrze Sprawców Przestępstw na Tle Seksualnym i "
                "przyjmuje informację z Krajowego Rejestru Karnego."
            )
        )
    pdf.section(_("§ 6. Koszty"))
    if c.get("reimbursement"):
        pdf.para(
            _(
                "Korzystający pokrywa, na dotyczących pracowników zasadach, koszty podróży "
                "służbowych i diet oraz inne niezbędne koszty ponoszone przez wolontariusza."
            )
        )
    else:
        pdf.para(
            _(
                "Wolontariusz zwalnia Korzystającego z obowiązku pokrycia kosztów podróży i "
                "diet oraz innych kosztów wykonywania świadczeń (art. 45 ust. 2 ustawy)."
            )
        )
    pdf.section(_("§ 7. Postanowienia końcowe"))
    pdf.para(
        _(
            "Świadczenia są wykonywane nieodpłatnie. Na wniosek wolontariusza Korzystający "
            "wyda zaświadczenie o wykonaniu świadczeń, a na jego prośbę także opinię. "
            "Porozumienie sporządzono w dwóch jednobrzmiących egzemplarzach, po jednym dla "
            "każdej ze stron."
        )
    )
    if doc.signed_on:
        pdf.para(
            _(
                "Podpisano dnia %(day)s; podpis: %(who)s.",
                day=_day(doc.signed_on),
                who=doc.signed_by or "—",
            ),
            9,
            "I",
        )
    volunteer_side = _("Wolontariusz")
    if guardian:
        volunteer_side = _("Wolontariusz / opiekun prawny")
    pdf.signatures(_("Korzystający"), volunteer_side)


def _certificate(pdf: _Pdf, doc: Document) -> None:
    c = doc.content
    vol = c["volunteer"]
    pdf.heading(_("ZAŚWIADCZENIE O WYKONANIU ŚWIADCZEŃ WOLONTARIUSZA"))
    pdf.para(
        _(
            "nr %(number)s, wydane na podstawie art. 44 ust. 6 ustawy o działalności "
            "pożytku publicznego i o wolontariacie",
            number=doc.number,
        ),
        9,
        "I",
    )
    pdf.ln(3)
    if c.get("institution"):
        issuer = _(
            "%(name)s, %(address)s",
            name=c["institution"]["name"],
            address=c["institution"].get("address") or "",
        ).rstrip(", ")
    else:
        issuer = _("Opolska Koalicja Instytucji Kultury (zaświadczenie zbiorcze)")
    pdf.para(_("Wystawca: %(issuer)s", issuer=issuer))
    pdf.para(
        _(
            "Zaświadcza się, że w okresie od %(start)s do %(end)s świadczenia wolontariusza "
            "wykonywała osoba: %(name)s (data urodzenia: %(dob)s), w zakresie:",
            name=vol["name"],
            dob=_day(vol.get("date_of_birth")),
            start=_day(doc.period_start),
            end=_day(doc.period_end),
        )
    )
    for row in c.get("rows", []):
        pdf.section(row["institution"])
        pdf.para(_("Potwierdzone godziny: %(hours)s", hours=_hours(row["hours"])))
        if row.get("needs"):
            pdf.para(_("Zakres świadczeń: %(scope)s", scope="; ".join(row["needs"])))
    pdf.ln(2)
    pdf.para(
        _("Łącznie potwierdzonych godzin: %(hours)s", hours=_hours(c.get("total", doc.hours))),
        11,
        "B",
    )
    if doc.opinion:
        pdf.section(_("Opinia"))
        pdf.para(doc.opinion)
    pdf.para(_("Data wystawienia: %(day)s", day=_day(doc.created_at.date())), 9)
    pdf.signatures(_("Podpis i pieczęć wystawcy"), "")


def _issuer(doc: Document) -> str:
    institution = doc.content.get("institution")
    if institution:
        return str(institution["name"])
    return _("Opolska Koalicja Instytucji Kultury")


def title(doc: Document) -> str:
    """What the document is, for whom and from whom: a reader shows it instead of a file name."""
    if doc.kind == DocumentKind.AGREEMENT:
        text = _(
            "Porozumienie wolontariackie – %(volunteer)s – %(issuer)s (%(number)s)",
            volunteer=doc.content["volunteer"]["name"],
            issuer=_issuer(doc),
            number=doc.number,
        )
    else:
        text = _(
            "Zaświadczenie o wolontariacie – %(volunteer)s – %(issuer)s (%(number)s)",
            volunteer=doc.content["volunteer"]["name"],
            issuer=_issuer(doc),
            number=doc.number,
        )
    return str(text)


def language() -> str:
    """The language the document is drawn in: the one its texts are translated to right now."""
    locale = get_locale()
    return locale.language if locale is not None else "pl"


def _strings(value: object) -> Iterator[str]:
    """Every string in a document's snapshot, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def render(document: Document, verify_url: str) -> bytes:
    """The document as PDF bytes, with its number and verification code on every page."""
    pdf = _Pdf(document.number, document.verification_code)
    pdf.print_every_letter_of(
        _strings([document.content, document.opinion or "", document.signed_by or "", verify_url])
    )
    pdf.set_title(title(document))
    pdf.set_lang(language())
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_author(_issuer(document))
    pdf.set_creator("Giełda Wolontariatu OKIK")
    pdf.add_page()
    if document.kind == DocumentKind.AGREEMENT:
        _agreement(pdf, document)
    else:
        _certificate(pdf, document)
    pdf.ln(4)
    pdf.para(
        _(
            "Autentyczność dokumentu sprawdzisz na stronie %(url)s, podając kod %(code)s.",
            url=verify_url,
            code=document.verification_code,
        ),
        8,
        "I",
    )
    return bytes(pdf.output())
