"""Small real files of each kind the dossier takes, and the bad ones it must refuse."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import openpyxl

PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\xff\xdb\x00\x43\x00"
    + bytes(64)
    + b"\xff\xd9"
)
# A Windows program: what a renamed .exe starts with.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ và tên", "Danh hiệu"])
    sheet.append(["Lê Thị Hồng Nhung", "Lao động tiên tiến"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word package: its content types and main document part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Báo cáo thành tích</w:t></w:r></w:p></w:body></w:document>",
        )
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb_docx(unpacked_mib: int = 64) -> bytes:
    """A real DOCX whose one extra part unpacks to `unpacked_mib` MiB of zeros from a few
    dozen KiB: the shape of a zip bomb."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        source = zipfile.ZipFile(io.BytesIO(docx()))
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        with archive.open("word/media/image1.bin", "w") as part:
            zeros = bytes(1024 * 1024)
            for _ in range(unpacked_mib):
                part.write(zeros)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not an office document")
    return out.getvalue()
