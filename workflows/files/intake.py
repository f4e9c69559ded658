"""Taking a file in: size, digest and type checked while it streams, never after reading it
all into memory.

An upload is written chunk by chunk into a `Spool` (a temporary file on disk), which hashes
what it keeps and stops keeping anything once the per-file limit is passed. `check` then
judges the spooled file: its type from its content (magic bytes, with `puremagic`), never
from its name; DOCX and XLSX told apart by what their zip directory lists, and zip bombs
refused from that directory alone, without unpacking a byte; the name cleaned of paths and
control characters, its diacritics kept. A refusal is a `Refused` with a message code and
its values: the edge says it in the reader's language.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

import puremagic

from workflows import limits

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ZIP = "zip"  # an OOXML container, told apart by its directory
HEAD_BYTES = 8192  # what the type is judged on


@dataclass(frozen=True)
class Kind:
    media_type: str
    label: str  # what people call it (in any language)
    extensions: tuple[str, ...]  # the first is added to a name that has none
    signature: bytes  # the bytes the content starts with
    inline: bool  # a browser may show it in place (PDF, images); others are downloaded


KINDS = {
    k.media_type: k
    for k in (
        Kind(PDF, "PDF", (".pdf",), b"%PDF-", True),
        Kind(JPEG, "JPEG", (".jpg", ".jpeg", ".jpe", ".jfif"), b"\xff\xd8\xff", True),
        Kind(PNG, "PNG", (".png",), b"\x89PNG\r\n\x1a\n", True),
        Kind(DOCX, "DOCX", (".docx",), b"PK\x03\x04", False),
        Kind(XLSX, "XLSX", (".xlsx",), b"PK\x03\x04", False),
    )
}
ALLOWED_LABELS = ", ".join(k.label for k in KINDS.values())
_MAGIC = {PDF: PDF, JPEG: JPEG, PNG: PNG}
_OOXML_GUESSES = {DOCX, XLSX, "application/zip", "application/x-zip-compressed"}
# An OOXML package's own parts, which a renamed archive of something else lacks.
_DOCX_PART = "word/document.xml"
_XLSX_PART = "xl/workbook.xml"
_CONTENT_TYPES = "[Content_Types].xml"
# Characters Windows refuses in a name, which a person saving the file would trip over.
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")
_DRIVE = re.compile(r"[A-Za-z]:")


class Refused(Exception):
    """A file not taken in, with why as a message code and its values."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code, params)


class Spool:
    """The writable, then readable, file an upload streams into (werkzeug's form parser
    writes each chunk as it arrives). Keeps at most `limit` bytes on disk: past that it
    only counts, so an oversized upload costs no memory and no more disk than the limit."""

    def __init__(self, limit: int = limits.MAX_FILE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self._hash = hashlib.sha256()
        # Closed with the spool (werkzeug closes a request's files when it ends).
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="laurel-upload-")  # noqa: SIM115

    @property
    def over_limit(self) -> bool:
        return self.size > self.limit

    @property
    def digest(self) -> str:
        return self._hash.hexdigest()

    def write(self, data: bytes) -> int:
        was_over = self.over_limit
        self.size += len(data)
        if self.over_limit:
            if not was_over:
                self._file.truncate(0)  # nothing of it will be kept
            return len(data)
        self._hash.update(data)
        self._file.write(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def readline(self, size: int = -1) -> bytes:
        return self._file.readline(size)

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()  # a TemporaryFile: gone from the disk with it

    @property
    def closed(self) -> bool:
        return self._file.closed

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@dataclass(frozen=True)
class Checked:
    """A file that passed every check, still in its spool."""

    spool: Spool
    sha256: str
    size: int
    media_type: str
    name: str

    @property
    def kind(self) -> Kind:
        return KINDS[self.media_type]


def check(spool: Spool, filename: str | None) -> Checked:
    """The spooled upload judged; Refused with the first thing wrong. The name is judged
    first (it needs no reading), then the size, then the content."""
    name = clean_name(filename or "")
    if spool.over_limit:
        raise Refused("file_too_large", most=_mb(limits.MAX_FILE_BYTES))
    if spool.size == 0:
        raise Refused("file_empty")
    spool.seek(0)
    head = spool.read(HEAD_BYTES)
    media_type = _sniff(head)
    if media_type == _ZIP:
        media_type = _office_type(spool)
    spool.seek(0)
    return Checked(spool, spool.digest, spool.size, media_type, _with_extension(name, media_type))


def clean_name(raw: str) -> str:
    """A file name as stored and offered back: NFC (diacritics kept, one way of writing
    them), no control or invisible formatting characters (a right-to-left override can
    make "exe.pdf" look like "fdp.exe"), no characters Windows refuses, spaces collapsed,
    at most MAX_FILE_NAME characters with the extension kept. A name with a folder path
    in it is refused, not cut down: a browser sends the bare name."""
    name = unicodedata.normalize("NFC", raw)
    # A drive letter is a path too; and HTTP's quoting eats the backslashes of a Windows
    # path ("C:\\Users\\a.pdf" arrives as "C:Usersa.pdf"), leaving only it to tell.
    if "/" in name or "\\" in name or _DRIVE.match(name):
        raise Refused("file_name_path")
    name = _SPACES.sub(" ", name)  # tabs and line breaks too
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    name = _SPACES.sub(" ", _RESERVED.sub("_", name)).strip(" .")
    if len(name) > limits.MAX_FILE_NAME:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if len(suffix) <= 10 else ""
        name = name[: limits.MAX_FILE_NAME - len(suffix)].rstrip(" .") + suffix
    return name


def _with_extension(name: str, media_type: str) -> str:
    """The name with its type's extension; a name whose extension says another type is
    refused (a PNG named .pdf would open in the wrong program, or mislead a reader)."""
    kind = KINDS[media_type]
    suffix = PurePosixPath(name).suffix.lower() if name else ""
    if suffix in kind.extensions:
        return name
    if suffix and any(suffix in k.extensions for k in KINDS.values()):
        raise Refused("file_type_mismatch", extension=suffix, kind=kind.label)
    return f"{name or 'file'}{kind.extensions[0]}"


def _sniff(head: bytes) -> str:
    """The allowed type the content starts as: puremagic's best guess, which must also be
    at the very start of the file (no type hidden after a prefix of another)."""
    try:
        guesses = puremagic.magic_string(head)
    except puremagic.PureError:
        guesses = []
    if guesses:
        best = max(g.confidence for g in guesses)
        for guess in (g for g in guesses if g.confidence == best):
            mime = guess.mime_type
            if mime in _MAGIC and head.startswith(KINDS[mime].signature):
                return _MAGIC[mime]
            if mime in _OOXML_GUESSES and head.startswith(b"PK\x03\x04"):
                return _ZIP
    raise Refused("file_type", allowed=ALLOWED_LABELS)


def _office_type(spool: Spool) -> str:
    """DOCX or XLSX, from the zip's central directory only (nothing is unpacked): the
    package's own parts name the type; the declared sizes must not make a zip bomb."""
    spool.seek(0)
    try:
        with zipfile.ZipFile(spool) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused("file_damaged", allowed=ALLOWED_LABELS) from exc
    if len(entries) > limits.MAX_ZIP_ENTRIES:
        raise Refused("file_zip_entries", most=limits.MAX_ZIP_ENTRIES)
    unpacked = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries)
    if unpacked > limits.MAX_ZIP_UNCOMPRESSED_BYTES:
        raise Refused("file_zip_size", most=_mb(limits.MAX_ZIP_UNCOMPRESSED_BYTES))
    if unpacked > limits.MIB and unpacked > packed * limits.MAX_ZIP_RATIO:
        raise Refused("file_zip_ratio", most=limits.MAX_ZIP_RATIO)
    for entry in entries:
        if entry.file_size > limits.MIB and (
            entry.file_size > max(entry.compress_size, 1) * limits.MAX_ZIP_ENTRY_RATIO
        ):
            raise Refused("file_zip_ratio", most=limits.MAX_ZIP_ENTRY_RATIO)
    names = {e.filename for e in entries}
    if _CONTENT_TYPES in names:
        if _DOCX_PART in names and _XLSX_PART not in names:
            return DOCX
        if _XLSX_PART in names and _DOCX_PART not in names:
            return XLSX
    raise Refused("file_type", allowed=ALLOWED_LABELS)


def _mb(size: int) -> int:
    return size // limits.MIB
