"""Messages of the audit chain check and its anchors, Vietnamese then English (merged into
web.i18n): the integrity page, the API's verify, the public board and `laurel audit verify`."""

from __future__ import annotations

ANCHOR_MESSAGES: dict[str, tuple[str, str]] = {
    # What broke (engine.audit.VerifyResult.code)
    "verify_missing": ("sự kiện số {seq} bị thiếu", "event {seq} is missing"),
    "verify_out_of_order": ("sự kiện số {seq} sai thứ tự", "event {seq} is out of order"),
    "verify_bad_link": (
        "prev_hash không khớp với mã băm của sự kiện số {previous}",
        "prev_hash does not match the hash of event {previous}",
    ),
    "verify_changed": (
        "nội dung không khớp với mã băm của nó (đã bị sửa sau khi ghi)",
        "content does not match its hash (changed after writing)",
    ),
    "verify_anchor_rewritten": (
        "chuỗi không còn khớp với mốc neo lập lúc {anchored_at}: "
        "chuỗi đã bị viết lại từ sự kiện này trở về trước",
        "the chain no longer extends the anchor taken at {anchored_at}: "
        "it was rewritten from this event or before",
    ),
    "verify_anchor_removed": (
        "chuỗi kết thúc ở sự kiện số {ends} nhưng đã được neo ở sự kiện số {anchored_seq} "
        "lúc {anchored_at}: các sự kiện cuối chuỗi đã bị xoá",
        "the chain ends at event {ends} but was anchored at event {anchored_seq} "
        "on {anchored_at}: events were removed",
    ),
    "anchor_file_damaged": (
        "Tệp mốc neo có dòng không phải là mốc (dòng {lines}): tệp đã bị hỏng hoặc bị sửa.",
        "The anchor file has lines that are not anchors (line {lines}): "
        "it was damaged or tampered with.",
    ),
    # How old the newest anchor is
    "anchor_newest": (
        "Mốc neo mới nhất: {age} (sự kiện số {seq}, lúc {time})",
        "Newest anchor: {age} (event {seq}, at {time})",
    ),
    "anchor_unanchored": (
        "{count} sự kiện sau mốc neo mới nhất chưa được neo.",
        "{count} event(s) after the newest anchor are not anchored yet.",
    ),
    "anchor_none": (
        "Cảnh báo: chưa có mốc neo nào, nên việc xoá các sự kiện cuối chuỗi sẽ không bị phát hiện.",
        "Warning: there is no anchor yet, so deleting the last events of the chain would go "
        "unnoticed.",
    ),
    "anchor_stale": (
        "Cảnh báo: mốc neo mới nhất đã cũ hơn {hours} giờ mà sau nó còn {count} sự kiện chưa "
        "được neo. Hãy kiểm tra tiến trình nền của máy chủ.",
        "Warning: the newest anchor is over {hours} hours old and {count} event(s) after it "
        "are not anchored. Check the server's background worker.",
    ),
    "age_now": ("vừa xong", "just now"),
    "age_minutes": ("{n} phút trước", "{n} minutes ago"),
    "age_minute": ("1 phút trước", "1 minute ago"),
    "age_hours": ("{n} giờ trước", "{n} hours ago"),
    "age_hour": ("1 giờ trước", "1 hour ago"),
    "age_days": ("{n} ngày trước", "{n} days ago"),
    "age_day": ("1 ngày trước", "1 day ago"),
    # The public board
    "board_anchor_title": ("Mốc neo nhật ký kiểm toán", "Audit log anchor"),
    "board_anchor_help": (
        "Mã băm đầu chuỗi nhật ký kiểm toán được công bố để bất kỳ ai cũng có thể ghi lại và "
        "đối chiếu về sau: nếu nhật ký bị xoá bớt hoặc bị viết lại, chuỗi sẽ không còn khớp "
        "với mốc này.",
        "The audit log's chain head, published so that anyone can note it down and check it "
        "later: if events are deleted from the log or it is rewritten, the chain no longer "
        "matches this anchor.",
    ),
    "board_anchor_seq": ("Sự kiện số", "Event"),
    "board_anchor_hash": ("Mã băm", "Hash"),
    "board_anchor_time": ("Thời điểm", "Time"),
    "board_anchor_full": ("Xem đầy đủ", "Show in full"),
    "anchor_not_found": ("Chưa có mốc neo nào được công bố.", "No anchor has been published yet."),
}
