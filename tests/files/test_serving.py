"""`laurel serve` bounds what its HTTP server reads of a body before the app can refuse it."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from web.cli import main
from workflows import limits


def test_the_server_reads_no_body_past_a_bound(
    run: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr("waitress.serve", lambda app, **options: seen.update(options))
    monkeypatch.setenv("LAUREL_TIMERS", "off")
    result = run.invoke(main, ["serve", "--port", "5999"])
    assert result.exit_code == 0, result.output
    # Past a file's limit (so the app still says "too large" in its own words), not past 100 MB.
    assert seen["max_request_body_size"] == 5 * limits.MAX_FILE_BYTES
