"""Reads shared by the JSON API and the pages, one module per thing read, each returning
typed shapes (TypedDicts, so templates and JSON see the same plain dicts as before):

- `inbox`: a person's tasks, their counts by stage, one task of theirs;
- `nominations`: a nomination summarised, in full, and its timeline;
- `board`: the public board's notices;
- `definitions`: deployed definition versions, their use and their differences;
- `instances`: process instances as the admin sees them;
- `audit`: the audit trail as readable events, its scopes and the auditor's search.

Plain functions of a session, the person, the time and filters, so that both front ends
show the same thing and neither holds the logic alone."""
