"""Checks before an export is parsed: is it what its name says, and is it safe.

Exports come from many organisations and are sometimes hand-edited or renamed. Before a
parser sees a file, :func:`sniff` looks at its first bytes, and :func:`check_xlsx`
reads the zip directory of a workbook (without decompressing anything) to refuse zip
bombs: too many members, too much uncompressed data, or a compression ratio no real
workbook has. Python's zipfile stops at the size the directory declares and checks the
CRC, so a directory that lies about sizes cannot get more data through.

XML inside a workbook is parsed only after :func:`check_xml_prolog` has found no document
type declaration before its root element. Entities can only be declared there, so a part
that passes holds no entity but the five of XML itself: no billion-laughs expansion, no
external entities that would read local files or the network.
"""

from __future__ import annotations

import codecs
import enum
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from harmonizer.errors import ReadError
from harmonizer.redaction import redact_text

SNIFF_BYTES = 4096
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS_XLSX = "open it in Excel or LibreOffice and save it as .xlsx (without a password)"


class FileKind(enum.StrEnum):
    """What the first bytes of a file say it is, whatever its name says."""

    EMPTY = "empty"
    ZIP = "zip"
    OLE2 = "ole2"
    HTML = "html"
    XML = "xml"
    TEXT = "text"
    BINARY = "binary"


@dataclass(frozen=True)
class ZipLimits:
    """Bounds an xlsx must stay within before it is opened.

    The defaults are far above real exports (a 1,000,000-row workbook unpacks to well
    under 2 GiB, and openpyxl's workbooks compress 5-40 times), and far below what a zip
    bomb needs.
    """

    max_members: int = 10_000
    max_total: int = 2 << 30
    max_ratio: float = 200.0
    ratio_floor: int = 1 << 20
    """Members smaller than this uncompressed are not ratio-checked: tiny files of
    repeated bytes compress well and cannot hurt."""


DEFAULT_LIMITS = ZipLimits()


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    quarter = len(head) // 4
    if b"\x00" in head and (head[1::2].count(0) > quarter or head[0::2].count(0) > quarter):
        return True  # UTF-16 without a byte order mark: every other byte of Latin text is NUL
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 3:
            # Windows-1252 text has few control bytes (a stray one in a cell is still
            # text) and no NUL (UTF-16 is recognised above); random or compressed data
            # has one byte in eight below 0x20, NULs among them.
            controls = sum(1 for b in head if b < 0x20 and b not in b"\t\r\n")
            return b"\x00" not in head or controls < 8 or controls * 20 < len(head)
    return True


def sniff(path: Path) -> FileKind:
    r"""Return what the first bytes of ``path`` say the file is.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".xlsx") as f:
    ...     _ = f.write(b"a;b\n1;2\n"); f.flush()
    ...     sniff(Path(f.name))
    <FileKind.TEXT: 'text'>
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        return FileKind.EMPTY
    if head.startswith(ZIP_MAGIC):
        return FileKind.ZIP
    if head.startswith(OLE2_MAGIC):
        return FileKind.OLE2
    if not _looks_like_text(head):
        return FileKind.BINARY
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n").lower()
    if text.startswith(("<!doctype html", "<html", "<table", "<meta")):
        return FileKind.HTML
    if text.startswith("<?xml"):
        return FileKind.XML
    return FileKind.TEXT


def _ole2_problem(path: Path) -> str:
    """Say what an OLE2 compound file is: an encrypted xlsx, or an old .xls workbook."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo")
            legacy = ole.exists("Workbook") or ole.exists("Book")
    # olefile raises OSError, ValueError, struct.error or IndexError on damaged files.
    except Exception as err:
        return f"is a damaged Office (OLE2) file ({redact_text(str(err))}); {SAVE_AS_XLSX}"
    if encrypted:
        return (
            "is password-protected (an encrypted workbook); remove the password in Excel "
            "(File > Info > Protect Workbook > Encrypt with Password, clear it) and save "
            "it again as .xlsx"
        )
    if legacy:
        return f"is an old Excel 97-2003 workbook (.xls), which harmonizer does not read; {SAVE_AS_XLSX}"
    return f"is an old Office (OLE2) document, not an xlsx workbook; {SAVE_AS_XLSX}"


def _not_xlsx(kind: FileKind) -> str:
    return {
        FileKind.EMPTY: "is empty (0 bytes); export the data again",
        FileKind.HTML: f"is an HTML page with a spreadsheet suffix (some tools export 'Excel' as HTML); {SAVE_AS_XLSX}",
        FileKind.XML: f"is an XML file (an Excel 2003 XML spreadsheet?), not an xlsx workbook; {SAVE_AS_XLSX}",
        FileKind.TEXT: "is a text (csv) file, not an xlsx workbook; rename it to .csv, or set source.format: csv in the mapping",
        FileKind.BINARY: f"is not an xlsx workbook (its content is neither a zip archive nor text); {SAVE_AS_XLSX}",
    }[kind]


def check_xlsx(path: Path, limits: ZipLimits = DEFAULT_LIMITS) -> None:
    """Refuse a file that is not a safe xlsx workbook, reading only its zip directory.

    Raises:
        ReadError: the file is empty, of another format (.xls, encrypted, csv, HTML,
            ODS), a truncated or corrupt zip, or over the limits of a zip bomb.
    """
    kind = sniff(path)
    if kind is FileKind.OLE2:
        raise ReadError(f"{path.name}: {_ole2_problem(path)}")
    if kind is FileKind.TEXT and path.suffix.lower() in (".csv", ".txt", ".tsv"):
        # Named as csv and read as xlsx: the mapping says so, and renaming would not help.
        raise ReadError(
            f"{path.name}: is a csv file, but the mapping reads xlsx workbooks "
            "(source.format: xlsx); send the export as the xlsx workbook the mapping was "
            "written for, or, if the provider now exports csv, set source.format: csv in "
            "the mapping"
        )
    if kind is not FileKind.ZIP:
        raise ReadError(f"{path.name}: {_not_xlsx(kind)}")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            ods = "mimetype" in archive.namelist() and archive.read("mimetype").startswith(
                b"application/vnd.oasis"
            )
    # A damaged archive surfaces as BadZipFile, zlib.error, EOFError, struct.error,
    # NotImplementedError (unknown compression) or RuntimeError (encrypted member):
    # every one means the same to the user.
    except Exception as err:
        raise ReadError(
            f"{path.name}: the workbook is truncated or corrupt (its zip directory cannot "
            f"be read: {redact_text(str(err))}); copy or export the file again"
        ) from err
    if ods:
        raise ReadError(
            f"{path.name}: is an OpenDocument spreadsheet (.ods), not xlsx; {SAVE_AS_XLSX}"
        )
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names:
        raise ReadError(
            f"{path.name}: is a zip archive but not an xlsx workbook (no [Content_Types].xml); "
            f"{SAVE_AS_XLSX}"
        )
    _check_limits(path, members, limits)


def _check_limits(path: Path, members: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    bomb = (
        f"{path.name}: refused as a possible zip bomb: {{}}; a real export stays far "
        "below this. If the workbook is genuine, save it as csv and harmonise that"
    )
    if len(members) > limits.max_members:
        raise ReadError(bomb.format(f"{len(members)} files inside (at most {limits.max_members})"))
    if any(m.flag_bits & 0x1 for m in members):
        raise ReadError(
            f"{path.name}: parts of the workbook are encrypted; remove the password and "
            "save it again as .xlsx"
        )
    total = sum(m.file_size for m in members)
    if total > limits.max_total:
        raise ReadError(
            bomb.format(
                f"it unpacks to {total:,} bytes (at most {limits.max_total:,})".replace(",", " ")
            )
        )
    for member in members:
        if member.file_size < limits.ratio_floor:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.max_ratio:
            raise ReadError(
                bomb.format(
                    f"{member.filename} unpacks {ratio:.0f} times its packed size "
                    f"(at most {limits.max_ratio:.0f})"
                )
            )


def check_csv(path: Path) -> None:
    """Refuse a file named as csv that is something else (a workbook, an empty file).

    Raises:
        ReadError: the file is empty, or is an xlsx, .xls or other binary file.
    """
    kind = sniff(path)
    if kind is FileKind.EMPTY:
        raise ReadError(f"{path.name}: {_not_xlsx(kind)}")
    if kind is FileKind.ZIP and path.suffix.lower() in (".xlsx", ".xlsm"):
        raise ReadError(
            f"{path.name}: is an xlsx workbook, but the mapping reads csv files "
            "(source.format: csv); send the export as the csv file the mapping was written "
            "for, or, if the provider now exports xlsx, set source.format: xlsx in the mapping"
        )
    if kind is FileKind.ZIP:
        raise ReadError(
            f"{path.name}: is a zip archive (an xlsx workbook?), not a csv file; rename it "
            "to .xlsx, or set source.format: xlsx in the mapping"
        )
    if kind is FileKind.OLE2:
        raise ReadError(f"{path.name}: {_ole2_problem(path)}")
    if kind is FileKind.BINARY:
        raise ReadError(
            f"{path.name}: is a binary file, not csv text; export the data again as csv"
        )


class UnsafeXml(ValueError):
    """An XML part of a workbook that harmonizer refuses to parse (a DTD, entities)."""

    def __init__(self, part: str, kind: str) -> None:
        super().__init__(f"{part}: {kind}")
        self.part = part
        self.kind = kind


_XML_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}


def check_xml_prolog(head: bytes, part: str) -> int:
    """Refuse an XML part whose prolog declares a DTD, or that is not UTF-8; return where the root starts.

    ``head`` is the part's first bytes (at least up to its root element). Entities can
    only be declared in a document type declaration, which XML allows only before the
    root element: refusing any ``<!DOCTYPE`` there (as defusedxml refuses entities)
    leaves nothing for the parser to expand. UTF-16 parts (which no spreadsheet writes)
    are refused too, because their prolog cannot be checked byte by byte.

    Raises:
        UnsafeXml: the prolog declares a DTD, or the part is not UTF-8 text.

    >>> check_xml_prolog(b'<?xml version="1.0"?><a/>', "x.xml")
    21
    >>> check_xml_prolog(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "x.xml")
    Traceback (most recent call last):
    harmonizer.io.safety.UnsafeXml: x.xml: EntitiesForbidden
    """
    pos = 3 if head.startswith(codecs.BOM_UTF8) else 0
    if b"\x00" in head[:4] or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnsafeXml(part, "not UTF-8")
    size = len(head)
    while pos < size:
        char = head[pos]
        if char in b" \t\r\n":
            pos += 1
        elif head.startswith(b"<?", pos):
            end = head.find(b"?>", pos)
            if end < 0:
                break
            found = _XML_ENCODING.search(head, pos, end)
            if found is not None and found.group(1).lower() not in _UTF8_NAMES:
                raise UnsafeXml(part, f"encoding {found.group(1).decode('ascii')}")
            pos = end + 2
        elif head.startswith(b"<!--", pos):
            end = head.find(b"-->", pos)
            if end < 0:
                break
            pos = end + 3
        elif head.startswith(b"<!", pos):
            kind = "EntitiesForbidden" if b"<!ENTITY" in head[pos:] else "DTDForbidden"
            raise UnsafeXml(part, kind)
        elif (
            char == ord("<")
            and pos + 1 < size
            and (head[pos + 1] >= 0x80 or chr(head[pos + 1]).isalpha() or head[pos + 1] == ord("_"))
        ):
            return pos
        else:
            break
    raise UnsafeXml(part, "no root element in its first bytes")
