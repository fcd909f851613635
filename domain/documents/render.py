"""A move document as PDF, laid out with fpdf2 from its gathered content (`content.py`).

Pure and synchronous (call it in a thread): the same content gives the same bytes, since the PDF's
creation date is the issue time. Text is set in DejaVu Sans (Unicode: names in any script) when the
machine has it, otherwise in the PDF core font Helvetica with what Latin-1 cannot write replaced.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from domain.documents.content import DocumentContent, Photo, SignatureLine

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_REGULAR, _BOLD = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
PRODUCER = "C&C CRM"
_THUMB_MM = 40
_SIGNATURE_MM = (60, 22)
#: A signature's image and its evidence lines.
_SIGNATURE_BLOCK_MM = _SIGNATURE_MM[1] + 30
_GREY = (90, 90, 90)
#: Widths (mm) of the inventory's columns: room, item, count, at pickup, at delivery.
_COLUMNS = (28, 48, 16, 45, 43)
_HEADINGS = ("Room", "Item", "Count", "At pickup", "At delivery")


class _Document(FPDF):
    def __init__(self, content: DocumentContent) -> None:
        super().__init__(format="A4")
        self.content = content
        self.unicode = _REGULAR.is_file() and _BOLD.is_file()
        if self.unicode:
            self.add_font("Body", "", str(_REGULAR))
            self.add_font("Body", "B", str(_BOLD))
        self.family = "Body" if self.unicode else "Helvetica"
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"{content.title} - {content.journey} - version {content.version}")
        self.set_author(content.company)
        self.set_producer(PRODUCER)
        self.set_creator(PRODUCER)
        self.set_creation_date(content.issued_at)

    def safe(self, text: str) -> str:
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        self.set_font(self.family, "B", 16)
        self.cell(0, 8, self.safe(f"{self.content.title} · {self.content.company}"), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 9)
        self.set_text_color(*_GREY)
        self.cell(0, 5, self.safe(f"{self.content.journey} · version {self.content.version} · issued "
                                  f"{self.content.issued_words}"), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family, "", 8)
        self.set_text_color(*_GREY)
        self.cell(0, 5, self.safe(f"Page {self.page_no()} of {{nb}} · verify this file with the issuer: "
                                  "its SHA-256 is kept in the audit trail"), align="C")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(self.family, "B", 12)
        self.cell(0, 7, self.safe(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        with self.table(col_widths=(35, 145), first_row_as_headings=False, line_height=5.5,
                        borders_layout="HORIZONTAL_LINES", text_align="LEFT", padding=1) as table:
            for label, value in rows:
                row = table.row()
                row.cell(self.safe(label), style=FontFace(emphasis="BOLD"))
                row.cell(self.safe(value))

    def fit(self, text: str, width: float) -> str:
        """`text` cut with "…" to fit one line of `width` mm (the long inventory is one line a row)."""
        text = self.safe(text)
        if self.get_string_width(text) <= width - 2:
            return text
        while text and self.get_string_width(text + "…") > width - 2:
            text = text[:-1]
        return self.safe(text.rstrip() + "…")

    def inventory(self) -> None:
        """Every line on one row (fpdf2's wrapping table costs ~10 ms a row: 500 lines would hold
        the journey's lock for seconds), then the exceptions in full, wrapped."""
        lines, exceptions = self.content.inventory, self.content.exceptions
        self.heading(f"Inventory ({len(lines)} lines, {len(exceptions)} exceptions)")
        if not lines:
            self.multi_cell(0, 5, self.safe("No inventory was recorded."), new_x="LMARGIN", new_y="NEXT")
            return
        self.set_font(self.family, "B", 9)
        self.set_fill_color(230, 230, 230)
        for width, title in zip(_COLUMNS, _HEADINGS, strict=True):
            self.cell(width, 6, self.safe(title), border="B", fill=True)
        self.ln(6)
        self.set_fill_color(255, 235, 238)
        for line in lines:
            self.set_font(self.family, "B" if line.exception else "", 9)
            values = (line.room, line.name, str(line.quantity), line.at_pickup, line.at_delivery)
            for width, text in zip(_COLUMNS, values, strict=True):
                self.cell(width, 5, self.fit(text, width), border="B", fill=line.exception)
            self.ln(5)
        if exceptions:
            self.heading("Exceptions at delivery")
            self.set_font(self.family, "", 9)
            with self.table(col_widths=_COLUMNS, line_height=5, text_align="LEFT", padding=1,
                            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230))) as table:
                table.row([self.safe(t) for t in _HEADINGS])
                for line in exceptions:
                    table.row([self.safe(t) for t in (line.room, line.name, str(line.quantity), line.at_pickup,
                                                      line.at_delivery)])

    def photos(self, photos: tuple[Photo, ...]) -> None:
        self.heading("Photos")
        if not photos:
            self.multi_cell(0, 5, self.safe("No photos."), new_x="LMARGIN", new_y="NEXT")
            return
        per_row = int((self.epw + 4) // (_THUMB_MM + 4))
        for start in range(0, len(photos), per_row):
            if self.will_page_break(_THUMB_MM + 10):
                self.add_page()
            top = self.get_y()
            for n, photo in enumerate(photos[start:start + per_row]):
                x = self.l_margin + n * (_THUMB_MM + 4)
                if photo.path is not None:
                    self.image(str(photo.path), x=x, y=top, w=_THUMB_MM, h=_THUMB_MM, keep_aspect_ratio=True)
                else:
                    self.rect(x, top, _THUMB_MM, _THUMB_MM)
                self.set_xy(x, top + _THUMB_MM + 1)
                self.set_font(self.family, "", 7)
                self.multi_cell(_THUMB_MM, 3.5, self.safe(photo.caption), max_line_height=3.5)
            self.set_xy(self.l_margin, top + _THUMB_MM + 9)
        if self.content.photos_left_out:
            self.set_font(self.family, "", 9)
            self.multi_cell(0, 5, self.safe(f"{self.content.photos_left_out} more photos are kept with the journey "
                                            "and not shown here."), new_x="LMARGIN", new_y="NEXT")

    def signature(self, line: SignatureLine) -> None:
        if self.will_page_break(_SIGNATURE_BLOCK_MM):
            self.add_page()
        self.set_font(self.family, "B", 10)
        self.cell(0, 6, self.safe(line.label), new_x="LMARGIN", new_y="NEXT")
        if line.image is not None:
            self.image(str(line.image), w=_SIGNATURE_MM[0], h=_SIGNATURE_MM[1], keep_aspect_ratio=True)
        self.set_font(self.family, "", 9)
        rows = [f"Signed by {line.signer}, {line.signed_at}", line.consent,
                f"Device: {line.device}", f"IP address: {line.ip}"]
        if line.position:
            rows.append(f"Position: {line.position}")
        for text in rows:
            self.multi_cell(0, 4.5, self.safe(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)


def render(content: DocumentContent) -> bytes:
    pdf = _Document(content)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(pdf.family, "", 10)
    pdf.heading("The move")
    pdf.facts([
        ("Company", content.company), ("Branch", f"{content.branch}, {content.branch_address}"),
        ("Customer", content.customer), ("Contact", content.customer_contact),
        ("From", content.origin), ("To", content.destination),
        ("Date", content.date), ("Scheduled", content.scheduled),
        ("Work started", content.started), ("Work finished", content.finished),
        ("Crew", ", ".join(content.crew) or "Not assigned"), ("Truck", content.truck),
    ])
    pdf.inventory()
    pdf.photos(content.photos)
    if content.signatures and pdf.will_page_break(_SIGNATURE_BLOCK_MM + 10):
        pdf.add_page()  # the heading stays with its first signature
    pdf.heading("Signatures")
    if not content.signatures:
        pdf.multi_cell(0, 5, pdf.safe("Not signed yet."), new_x="LMARGIN", new_y="NEXT")
    for line in content.signatures:
        pdf.signature(line)
    return bytes(pdf.output())
