"""A one-sheet `.xlsx` written straight from rows of text, for the finance export.

openpyxl (even in write-only mode) and XlsxWriter both build each cell as an object and cost
20-30 µs a cell; five years of payments (37,000 rows of 12 cells) took 13-20 s. A sheet of
plain text and exact amounts needs none of that: this writes the worksheet XML with one
template a cell (inline strings, so no shared-strings table), and the four small parts every
workbook needs around it, into a zip. The result opens in Excel, LibreOffice and openpyxl.

Cells are text, or amounts given as exact decimal strings ("31.25") written as numbers with two
decimals shown: never a float. The caller hands in its formula guard (`clean`, e.g. `safe_cell`);
here text is escaped for XML and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    _DECLARATION + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: plain; 1: built-in number format 2 ("0.00") for amounts; 2: bold, for headings.
_STYLES = (
    _DECLARATION + f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_MAX_CELL = 32_767  # Excel's limit on the characters in one cell
# Characters XML 1.0 cannot hold (tab, newline and carriage return it can).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EXACT = re.compile(r"^-?\d{1,15}(\.\d{1,2})?$")


def _escape(text: str) -> str:
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("", text)
    if len(text) > _MAX_CELL:
        text = text[:_MAX_CELL]
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:  # a bare carriage return would be read back as a newline
        text = text.replace("\r", "&#13;")
    return text


def _column(number: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx(
    sheet_name: str,
    headings: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    amount_columns: Sequence[int] = (),
    clean: Callable[[str], str] = str,
) -> bytes:
    """A workbook of one sheet: bold headings (frozen at the top), then `rows` of text. In
    `amount_columns` a cell must be an exact decimal like "31.25" (or empty); it is stored as
    that number, shown with two decimals. Every other cell (headings too) goes through `clean`
    first, once for each distinct text: pass the formula guard there."""
    letters = [_column(number) for number in range(len(headings))]
    amounts = frozenset(amount_columns)
    # Everything after a text cell's reference, by its text: names, dates and kinds repeat,
    # so most cells cost one dictionary look-up.
    tails: dict[str, str] = {}

    def tail(text: str) -> str:
        found = tails.get(text)
        if found is None:
            found = tails[text] = (
                f'" t="inlineStr"><is><t xml:space="preserve">{_escape(clean(text))}</t></is></c>'
            )
        return found

    parts = [
        _DECLARATION,
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">',
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>',
        '<sheetData><row r="1">',
    ]
    parts.extend(
        f'<c r="{letter}1" s="2{tail(heading)}'
        for letter, heading in zip(letters, headings, strict=True)
    )
    parts.append("</row>")
    width = len(headings)
    for number, row in enumerate(rows, start=2):
        if len(row) != width:
            raise ValueError(f"row {number} has {len(row)} cells, not {width}")
        parts.append(f'<row r="{number}">')
        for column, cell in enumerate(row):
            if not cell:
                continue
            if column in amounts:
                if not _EXACT.match(cell):
                    raise ValueError(f"{cell!r} is not an exact amount")
                parts.append(f'<c r="{letters[column]}{number}" s="1"><v>{cell}</v></c>')
            else:
                parts.append(f'<c r="{letters[column]}{number}{tail(cell)}')
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    sheet = "".join(parts)
    name = _escape(sheet_name[:31]).replace('"', "&quot;")
    workbook = (
        _DECLARATION + f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
        f'<sheet name="{name}" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", workbook)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()
