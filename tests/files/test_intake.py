"""Taking a file in: the type from the content, never the name; sizes while it streams;
zip bombs from the archive's directory; names cleaned, diacritics kept."""

from __future__ import annotations

import hashlib
import io
import unicodedata

import pytest

from tests.files import samples
from workflows import limits
from workflows.files import intake
from workflows.files.intake import Refused, Spool


def spooled(content: bytes, limit: int = limits.MAX_FILE_BYTES, chunk: int = 65536) -> Spool:
    spool = Spool(limit)
    for start in range(0, len(content), chunk):
        spool.write(content[start : start + chunk])
    spool.seek(0)
    return spool


def check(content: bytes, name: str) -> intake.Checked:
    return intake.check(spooled(content), name)


def refusal(content: bytes, name: str) -> Refused:
    with pytest.raises(Refused) as caught:
        check(content, name)
    return caught.value


@pytest.mark.parametrize(
    ("content", "name", "media_type"),
    [
        (samples.PDF, "To trinh.pdf", intake.PDF),
        (samples.JPEG, "anh.JPG", intake.JPEG),
        (samples.JPEG, "anh.jpeg", intake.JPEG),
        (samples.png(), "bang khen.png", intake.PNG),
        (samples.docx(), "bao cao.docx", intake.DOCX),
        (samples.xlsx(), "danh sach.xlsx", intake.XLSX),
    ],
)
def test_each_accepted_kind_is_known_by_its_content(
    content: bytes, name: str, media_type: str
) -> None:
    checked = check(content, name)
    assert (checked.media_type, checked.name, checked.size) == (media_type, name, len(content))
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.spool.read() == content  # rewound, ready to store


def test_a_renamed_program_is_refused_whatever_its_name() -> None:
    for name in ("To trinh.pdf", "anh.png", "bao cao.docx", "setup.exe"):
        refused = refusal(samples.EXE, name)
        assert refused.code == "file_type"
        assert refused.params == {"allowed": "PDF, JPEG, PNG, DOCX, XLSX"}


@pytest.mark.parametrize(
    "content",
    [samples.HTML, b"", b"%PDF", b"plain text", samples.plain_zip(), b"xx%PDF-1.4 later"],
    ids=["html", "empty", "short", "text", "zip", "pdf-after-prefix"],
)
def test_content_of_no_accepted_kind_is_refused(content: bytes) -> None:
    assert refusal(content, "tai lieu.pdf").code in ("file_type", "file_empty")


def test_docx_and_xlsx_are_told_apart_by_their_parts_not_their_names() -> None:
    assert check(samples.xlsx(), "danh sach").media_type == intake.XLSX
    assert check(samples.docx(), "bao cao").name == "bao cao.docx"
    # A workbook named as a document is not taken as one.
    assert refusal(samples.xlsx(), "bao cao.docx").params["kind"] == "XLSX"
    # A package claiming to be both is neither.
    both = samples.docx({"xl/workbook.xml": b"<workbook/>"})
    assert refusal(both, "x.docx").code == "file_type"


def test_a_name_whose_extension_says_another_kind_is_refused() -> None:
    refused = refusal(samples.png(), "To trinh.pdf")
    assert (refused.code, refused.params) == (
        "file_type_mismatch",
        {"extension": ".pdf", "kind": "PNG"},
    )
    # An unknown or missing extension gets the content's own.
    assert check(samples.png(), "scan").name == "scan.png"
    assert check(samples.PDF, "bien ban.v2").name == "bien ban.v2.pdf"


def test_a_zip_bomb_docx_is_refused_from_its_directory_alone() -> None:
    bomb = samples.zip_bomb_docx(64)
    assert len(bomb) < limits.MIB  # small on the wire
    refused = refusal(bomb, "bao cao.docx")
    assert (refused.code, refused.params) == ("file_zip_ratio", {"most": limits.MAX_ZIP_RATIO})


def test_an_archive_unpacking_past_the_total_or_with_too_many_parts_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_ZIP_UNCOMPRESSED_BYTES", 8 * limits.MIB)
    refused = refusal(samples.zip_bomb_docx(9), "x.docx")
    assert (refused.code, refused.params) == ("file_zip_size", {"most": 8})

    monkeypatch.setattr(limits, "MAX_ZIP_ENTRIES", 50)
    many = samples.docx({f"word/part{i}.xml": b"<p/>" for i in range(60)})
    refused = refusal(many, "x.docx")
    assert (refused.code, refused.params) == ("file_zip_entries", {"most": 50})


def test_a_damaged_archive_is_refused() -> None:
    cut = samples.docx()[:-30]  # the central directory torn off
    assert refusal(cut, "x.docx").code == "file_damaged"


def test_a_file_over_the_limit_is_counted_not_kept() -> None:
    spool = Spool(limit=1000)
    for _ in range(50):
        spool.write(b"%PDF-" + bytes(995))
    assert spool.size == 50_000 and spool.over_limit
    spool.seek(0, io.SEEK_END)
    assert spool.tell() == 0  # nothing of it stays on disk
    with pytest.raises(Refused) as caught:
        intake.check(spool, "big.pdf")
    assert (caught.value.code, caught.value.params) == ("file_too_large", {"most": 20})


def test_a_file_exactly_at_the_limit_is_taken() -> None:
    content = samples.PDF + bytes(4096 - len(samples.PDF))
    assert intake.check(spooled(content, limit=4096), "x.pdf").size == 4096


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "C:\\Users\\canbo\\To trinh.pdf",
        "C:UserscanboTo trinh.pdf",
        "scans/to trinh.pdf",
        "/",
    ],
)
def test_a_name_with_a_folder_path_is_refused(name: str) -> None:
    assert refusal(samples.PDF, name).code == "file_name_path"


def test_names_are_cleaned_and_keep_their_diacritics() -> None:
    decomposed = unicodedata.normalize("NFD", "Báo cáo thành tích.pdf")
    assert check(samples.PDF, decomposed).name == "Báo cáo thành tích.pdf"  # as NFC
    assert check(samples.PDF, "Tờ\ttrình\u202e  số\x0012.pdf").name == "Tờ trình số12.pdf"
    assert check(samples.PDF, '  a<b>:"c"|?*.pdf . ').name == "a_b___c____.pdf"
    assert check(samples.PDF, "").name == "file.pdf"
    long = check(samples.PDF, "Đ" * 500 + ".pdf").name
    assert len(long) == limits.MAX_FILE_NAME and long.endswith(".pdf")
