"""The parts of an xlsx workbook a reader needs: sheets, shared strings, date styles.

Every part is parsed by the C-accelerated ElementTree pull parser, streaming, after
:func:`harmonizer.io.safety.check_xml_prolog` has refused document type declarations
(so no entity can be expanded). Only what reading cell values needs is kept: the
sheets' names and parts, the shared strings, and which cell styles are dates.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import pyexpat
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Literal, cast

from harmonizer.io.safety import UnsafeXml, check_xml_prolog

CHUNK = 1 << 16
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
STRICT_DOC_REL = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"
EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]', re.IGNORECASE)
"""What a number format shows as written, not as a part of the date: quoted text
("klo"), an escaped or spacing character (\\h, _h, *h) and a bracket other than elapsed
time ([$-x-sysdate], [$-40B], [Red])."""


def format_kind(code: str) -> str | None:
    """Return 'date', 'datetime', 'time' or 'timedelta' for a date format code, else None.

    openpyxl's tested rules decide (its reader used them before this one), on the code
    without its literal text and locale tags, in lower case: Excel's long date
    ``[$-x-sysdate]dddd, mmmm dd, yyyy`` and LibreOffice's ``DD.MM.YYYY`` show no time.

    >>> [format_kind(c) for c in ("d.m.yyyy", "d.m.yyyy h:mm", "h:mm", "[h]:mm", "0.00", "General")]
    ['date', 'datetime', 'time', 'timedelta', None, None]
    >>> [format_kind(c) for c in ("[$-x-sysdate]dddd, mmmm dd, yyyy", "DD.MM.YYYY", 'd.m.yyyy "h"')]
    ['date', 'date', 'date']
    """
    from openpyxl.styles.numbers import is_datetime, is_timedelta_format

    if is_timedelta_format(code):
        return "timedelta"
    shown = _FORMAT_LITERALS.sub("", code).split(";", maxsplit=1)[0].lower()
    if shown.strip() == "general":
        return None
    kind: str | None = is_datetime(shown)
    return kind


def builtin_kind(number: int) -> str | None:
    """Return the date kind of one of Excel's built-in number formats (not stored in files)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    code = BUILTIN_FORMATS.get(number)
    return None if code is None else format_kind(code)


def xml_events(
    archive: zipfile.ZipFile,
    name: str,
    events: tuple[Literal["start", "end"], ...] = ("end",),
) -> Iterator[tuple[str, ET.Element]]:
    """Stream the parse events of one small XML part, refusing a DTD before parsing.

    Raises:
        UnsafeXml: the part declares a DTD or entities, or is not UTF-8.
        ET.ParseError, zipfile.BadZipFile, zlib.error: the part is damaged.
    """
    with archive.open(name) as stream:
        data = stream.read(CHUNK)
        check_xml_prolog(data, name)
        parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events)
        while True:
            if data:
                parser.feed(data)
            else:
                parser.close()
            # Only 'start' and 'end' events are asked for: each is (event, element).
            yield from cast(Iterator[tuple[str, ET.Element]], parser.read_events())
            if not data:
                return
            data = stream.read(CHUNK)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _relationships(archive: zipfile.ZipFile, rels: str, base: str) -> dict[str, tuple[str, str]]:
    """Return id -> (type's last word, part name) of a relationships part."""
    found: dict[str, tuple[str, str]] = {}
    if rels not in archive.NameToInfo:
        return found
    for _, elem in xml_events(archive, rels):
        if _local(elem.tag) != "Relationship" or elem.get("TargetMode") == "External":
            continue
        target = elem.get("Target", "")
        name = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        found[elem.get("Id", "")] = (
            elem.get("Type", "").rpartition("/")[2],
            posixpath.normpath(name),
        )
    return found


@dataclass
class Workbook:
    """What reading a workbook's cells needs from its other parts."""

    sheets: list[tuple[str, str, str]]
    """Each sheet's name, kind ('worksheet', 'chartsheet', ...) and part name."""
    epoch: dt.datetime = EPOCH_1900
    shared_strings: list[str] = field(default_factory=list)
    date_styles: dict[str, str] = field(default_factory=dict)
    """Cell style index (as the ``s`` attribute writes it) -> format kind, for date formats."""

    @property
    def names(self) -> list[str]:
        """Return the sheets' names in workbook order."""
        return [name for name, _, _ in self.sheets]


def load_workbook(archive: zipfile.ZipFile) -> Workbook:
    """Read the workbook part, its relationships, shared strings and styles.

    Raises:
        KeyError: a part the workbook names is missing.
        UnsafeXml, ET.ParseError, zipfile.BadZipFile: a part is refused or damaged.
    """
    package = _relationships(archive, "_rels/.rels", "")
    main = next(
        (name for kind, name in package.values() if kind == "officeDocument"),
        "xl/workbook.xml",
    )
    base = posixpath.dirname(main)
    rels = _relationships(
        archive, posixpath.join(base, "_rels", posixpath.basename(main) + ".rels"), base
    )
    sheets: list[tuple[str, str, str]] = []
    epoch = EPOCH_1900
    for _, elem in xml_events(archive, main):
        local = _local(elem.tag)
        if local == "sheet":
            rid = elem.get(f"{DOC_REL}id") or elem.get(f"{STRICT_DOC_REL}id") or ""
            kind, part = rels.get(rid, ("", ""))
            sheets.append((elem.get("name", ""), kind, part))
        elif local == "workbookPr" and elem.get("date1904", "0").lower() in {"1", "true"}:
            epoch = EPOCH_1904
    book = Workbook(sheets, epoch)
    for kind, part in rels.values():
        if kind == "sharedStrings" and part in archive.NameToInfo:
            book.shared_strings = _shared_strings(archive, part)
        elif kind == "styles" and part in archive.NameToInfo:
            book.date_styles = _date_styles(archive, part)
    return book


_XSTRING_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def unescape_xstring(text: str) -> str:
    r"""Return a cell text with Excel's ``_xHHHH_`` escapes turned back into characters.

    XML cannot keep a carriage return or a control character as written, so Excel writes
    them as ``_x000D_``, ``_x0001_`` (ECMA-376 ST_Xstring), and ``_x005F_`` escapes an
    underscore that would start such a code. One pass, so ``_x005F_x000D_`` is the text
    ``_x000D_``. A code of half a surrogate pair is no character: it stays as written.

    >>> unescape_xstring("yksi_x000D_\nkaksi _x005F_x000D_ _xD800_")
    'yksi\r\nkaksi _x000D_ _xD800_'
    """
    if "_x" not in text:
        return text
    return _XSTRING_ESCAPE.sub(_unescaped, text)


def _unescaped(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def rich_text(elem: ET.Element) -> str:
    """Return the text of a string item (``<si>`` or ``<is>``), runs joined, phonetics left out."""
    text = elem.findtext(f"{MAIN}t")
    if text is not None:
        return text
    parts: list[str] = []
    for child in elem:
        local = _local(child.tag)
        if local == "r":
            parts.append(child.findtext(f"{MAIN}t") or child.findtext(f"{STRICT}t") or "")
        elif local == "t":
            parts.append(child.text or "")
    return "".join(parts)


SIMPLE_STRINGS_BYTES = 16 << 20
"""Shared-text parts up to this size (uncompressed) are read whole and tried as Excel
writes them (see :func:`_simple_strings`); larger ones stream through expat."""

_SIMPLE_ITEMS = re.compile(rb'(?:<si><t(?: xml:space="preserve")?>[^<]*</t></si>)*')
_SIMPLE_ITEM = re.compile(r'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>')
_REFERENCE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _shared_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    """Return the workbook's shared texts, runs joined, phonetic guides left out.

    A part of plain items, as Excel writes them, is checked by expat (without callbacks)
    and its texts taken by a pattern; any other is parsed by expat with a few callbacks
    a text (a tree would hold every item), which also words what is wrong.
    """
    if archive.getinfo(part).file_size <= SIMPLE_STRINGS_BYTES:
        simple = _simple_strings(archive, part)
        if simple is not None:
            return simple
    return _parsed_strings(archive, part)


def _simple_strings(archive: zipfile.ZipFile, part: str) -> list[str] | None:
    """Return the texts of a well-formed part of nothing but ``<si><t>text</t></si>``.

    None for anything else (runs, phonetic guides, prefixes, comments, CDATA, items on
    lines of their own, a carriage return, which expat turns into a line feed, or a part
    that is not well-formed): the callback parser reads those.
    """
    data = archive.read(part)
    if b"\r" in data:
        return None
    start = data.find(b"<sst")
    opened = data.find(b">", start)
    closed = data.rfind(b"</sst>")
    if start < 0 or opened < 0 or closed < opened or data[opened - 1 : opened] == b"/":
        return None
    # The pattern first (on the bytes: "<" is one byte in UTF-8, in no other character):
    # a part of another form (runs, phonetic guides) goes to the callback parser without
    # a parse of its own beforehand.
    if _SIMPLE_ITEMS.fullmatch(data, opened + 1, closed) is None:
        return None
    try:
        check_xml_prolog(data[:CHUNK], part)
        expat_parser(part).Parse(data, True)
        text = data.decode("utf-8")
    except Exception:  # the callback parser refuses it with its own words
        return None
    del data  # the part is held once, as text
    opened, closed = text.find(">", text.find("<sst")), text.rfind("</sst>")
    return [
        unescape_xstring(_REFERENCE.sub(_referenced, item) if "&" in item else item)
        for item in _SIMPLE_ITEM.findall(text, opened + 1, closed)
    ]


def _referenced(match: re.Match[str]) -> str:
    hexadecimal, decimal, name = match.groups()
    if name:
        return _PREDEFINED[name]
    return chr(int(hexadecimal, 16) if hexadecimal else int(decimal))


def _parsed_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    """Return the shared texts as expat's callbacks give them, a chunk at a time."""
    strings: list[str] = []
    pieces: list[str] = []
    capture = phonetic = False
    # An element's local name by its name as written ("x:t" -> "t"), found once.
    locals_: dict[str, str] = {}

    def local_of(name: str) -> str:
        local = locals_[name] = name.rpartition(":")[2]
        return local

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal capture, phonetic
        local = locals_.get(name) or local_of(name)
        if local == "t":
            capture = not phonetic
        elif local == "si":
            pieces.clear()
            phonetic = False
        elif local == "rPh":
            phonetic = True

    def end(name: str) -> None:
        nonlocal capture
        local = locals_.get(name) or local_of(name)
        if local == "t":
            capture = False
        elif local == "si":
            strings.append(unescape_xstring("".join(pieces)))

    def text(data: str) -> None:
        if capture:
            pieces.append(data)

    with archive.open(part) as stream:
        parse_expat(stream, part, start, end, text)
    return strings


def expat_parser(part: str) -> pyexpat.XMLParserType:
    """Return an expat parser that refuses DTDs and entities in its own callbacks.

    The prolog check refuses them first; these callbacks are the second guard.
    """

    def refuse_dtd(*_: object) -> None:
        raise UnsafeXml(part, "DTDForbidden")

    def refuse_entity(*_: object) -> None:
        raise UnsafeXml(part, "EntitiesForbidden")

    def refuse_external(
        _context: str, _base: str | None, _system: str | None, _public: str | None
    ) -> int:
        raise UnsafeXml(part, "EntitiesForbidden")

    parser = pyexpat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def parse_expat(
    stream: IO[bytes],
    part: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None,
    text: Callable[[str], None],
) -> None:
    """Parse one XML part with expat's callbacks, after its prolog passed the DTD check."""
    parser = expat_parser(part)
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    data = stream.read(CHUNK)
    check_xml_prolog(data, part)
    while data:
        parser.Parse(data, False)
        data = stream.read(CHUNK)
    parser.Parse(b"", True)


def _date_styles(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_cell_xfs = False
    for event, elem in xml_events(archive, part, ("start", "end")):
        local = _local(elem.tag)
        if local == "cellXfs":
            in_cell_xfs = event == "start"
        elif event == "end" and local == "numFmt":
            try:
                custom[int(elem.get("numFmtId", ""))] = elem.get("formatCode", "")
            except ValueError:
                continue
        elif event == "end" and local == "xf" and in_cell_xfs:
            try:
                formats.append(int(elem.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)
    kinds: dict[str, str] = {}
    for index, number in enumerate(formats):
        kind = format_kind(custom[number]) if number in custom else builtin_kind(number)
        if kind is not None:
            kinds[str(index)] = kind
    return kinds
