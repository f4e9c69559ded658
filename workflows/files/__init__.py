"""Files: content-addressed storage (storage), taking an upload in (intake), and a
nomination's attachments with their audit trail (attachments)."""
