"""A dossier's files in a real browser: the proposer of a returned dossier picks a scan and
uploads it with the form; it is listed, and opens in the browser as an image shown in a
sandbox (the page's own scripts cannot reach it), while a refused file is named."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import Live, snap
from tests.browser.test_nomination_pages import sign_in
from tests.files import samples
from workflows.models import Nomination

RETURNED = "Trần Văn Nam"


def test_the_proposer_uploads_a_scan_and_opens_it(page: Page, live: Live) -> None:
    with Session(live.db) as session:
        nomination_id = session.scalar(
            select(Nomination.id).where(Nomination.nominee_name == RETURNED)
        )
    sign_in(page, live, "canbo.thcs_ths")
    page.goto(f"{live.url}/nominations/{nomination_id}")
    picker = page.get_by_label("Thêm tệp (bản quét, ảnh chụp, văn bản)")
    picker.set_input_files(
        {"name": "Bản chụp.exe.pdf", "mimeType": "application/pdf", "buffer": samples.EXE}
    )
    page.get_by_role("button", name="Tải tệp lên").click()
    expect(page.get_by_text("Loại tệp không được chấp nhận")).to_be_visible()

    picker = page.get_by_label("Thêm tệp (bản quét, ảnh chụp, văn bản)")
    picker.set_input_files(
        {"name": "Bằng khen.png", "mimeType": "image/png", "buffer": samples.png()}
    )
    page.get_by_role("button", name="Tải tệp lên").click()
    expect(page.get_by_text("Đã đính kèm tệp «Bằng khen.png».")).to_be_visible()
    link = page.get_by_role("link", name="Bằng khen.png")
    expect(link).to_be_visible()
    snap(page, "files-01-listed")

    with page.context.expect_page() as opened:
        link.click()
    shown = opened.value
    shown.wait_for_load_state()
    # Chromium shows the image in a document of its own; the sandbox keeps it origin-less.
    assert shown.evaluate("document.images.length && document.images[0].naturalWidth") == 1
    assert shown.evaluate("window.origin") == "null"
