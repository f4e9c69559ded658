"""Hostile uploads: entity bombs, external entities, huge and broken files."""

from __future__ import annotations

import contextlib
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from engine.errors import DefinitionRejected, Problem
from engine.parsing import parse_definition
from engine.validation import validate_definition
from engine.xmlsafety import MAX_DEFINITION_BYTES, check_size, parse_xml

ROLES = {"clerk", "manager"}
VALID_BPMN = (Path(__file__).parent / "bpmn" / "valid_nomination.bpmn").read_bytes()


def refusal(source: bytes, filename: str = "upload.bpmn") -> Problem:
    with pytest.raises(DefinitionRejected) as info:
        parse_xml(source, filename)
    [problem] = info.value.problems
    assert problem.file == filename
    assert problem.element_id == ""
    return problem


def billion_laughs(root: str = "lolz") -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n<!ENTITY lol0 "lol">\n{entities}]>\n'
        f"<{root}>&lol9;</{root}>\n"
    ).encode()


def all_messages(exc: DefinitionRejected) -> str:
    return str(exc) + " ".join(p.message for p in exc.problems)


def measure(action: Callable[[], object]) -> tuple[float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    with contextlib.suppress(DefinitionRejected):
        action()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak


@pytest.mark.parametrize(
    "entry",
    [
        lambda doc: parse_xml(doc, "bomb.bpmn"),
        lambda doc: validate_definition({"bomb.bpmn": doc}, ROLES),
        lambda doc: parse_definition({"bomb.bpmn": doc}),
    ],
    ids=["parse_xml", "validate_definition", "parse_definition"],
)
def test_billion_laughs_is_refused_fast_with_bounded_memory(
    entry: Callable[[bytes], object],
) -> None:
    document = billion_laughs("bpmn:definitions")
    elapsed, peak = measure(lambda: entry(document))
    assert elapsed < 0.2
    assert peak < 2 * 1024 * 1024
    with pytest.raises(DefinitionRejected, match="DOCTYPE"):
        entry(document)


def test_billion_laughs_in_utf16_is_refused_too() -> None:
    document = billion_laughs().decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    elapsed, peak = measure(lambda: parse_xml(document.encode("utf-16"), "bomb.bpmn"))
    assert elapsed < 0.2 and peak < 2 * 1024 * 1024
    assert "UTF-8" in refusal(document.encode("utf-16")).message


def test_quadratic_blowup_without_doctype_cannot_be_built() -> None:
    # Without a DOCTYPE there are no entities to expand: a reference is just not well-formed.
    problem = refusal(b"<a>" + b"&big;" * 10_000 + b"</a>")
    assert "not well-formed" in problem.message


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("MARKER-7f3a9c-do-not-leak\n")
    return path


def xxe_documents(secret: Path) -> dict[str, bytes]:
    url = secret.as_uri()
    return {
        "general entity": (
            f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "{url}">]>\n'
            f'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
            f"&x;</bpmn:definitions>"
        ).encode(),
        "parameter entity": (f'<!DOCTYPE d [<!ENTITY % p SYSTEM "{url}"> %p;]>\n<d/>').encode(),
        "external DTD": f'<!DOCTYPE d SYSTEM "{url}">\n<d>&x;</d>'.encode(),
        "after comments and PIs": (
            f'\ufeff<?xml version="1.0"?><!-- hi --><?pi x?>\n<!DOCTYPE d ['
            f'<!ENTITY x SYSTEM "{url}">]><d>&x;</d>'
        ).encode(),
        "utf-16": (
            f'<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE d ['
            f'<!ENTITY x SYSTEM "{url}">]>\n<d>&x;</d>'
        ).encode("utf-16"),
    }


@pytest.mark.parametrize(
    "variant",
    ["general entity", "parameter entity", "external DTD", "after comments and PIs", "utf-16"],
)
def test_external_entities_are_refused_without_reading_the_file(secret: Path, variant: str) -> None:
    document = xxe_documents(secret)[variant]
    for entry in (
        lambda: parse_xml(document, "xxe.bpmn"),
        lambda: validate_definition({"xxe.bpmn": document}, ROLES),
        lambda: parse_definition({"xxe.bpmn": document}),
    ):
        with pytest.raises(DefinitionRejected) as info:
            entry()
        assert "MARKER-7f3a9c" not in all_messages(info.value)
        assert "MARKER-7f3a9c" not in repr(info.value.problems)


def test_xinclude_is_not_processed(secret: Path) -> None:
    document = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<xi:include href="{secret.as_uri()}" parse="text"/></bpmn:definitions>'
    ).encode()
    root = parse_xml(document, "xi.bpmn")
    assert b"MARKER" not in etree.tostring(root)
    with pytest.raises(DefinitionRejected) as info:
        validate_definition({"xi.bpmn": document}, ROLES)
    assert "MARKER-7f3a9c" not in all_messages(info.value)


def test_huge_file_is_refused_by_size_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.bpmn"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk

    def no_reading(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("check_size must not read the file")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(DefinitionRejected) as info:
        check_size(path)
    [problem] = info.value.problems
    assert problem.file == "huge.bpmn"
    assert "52,428,800" in problem.message and f"{MAX_DEFINITION_BYTES:,}" in problem.message


def test_size_limit_applies_to_bytes_too(tmp_path: Path) -> None:
    small = tmp_path / "small.bpmn"
    small.write_bytes(VALID_BPMN)
    check_size(small)  # fine
    problem = refusal(b" " * (MAX_DEFINITION_BYTES + 1))
    assert f"{MAX_DEFINITION_BYTES:,}" in problem.message


def test_deep_nesting_is_refused_quickly() -> None:
    document = b"<a>" * 100_000 + b"</a>" * 100_000
    elapsed, _ = measure(lambda: parse_xml(document, "deep.bpmn"))
    assert elapsed < 0.5
    assert "not well-formed" in refusal(document).message


def test_prolog_scan_does_not_backtrack() -> None:
    # A backtracking scan would take exponential time over this many prolog items.
    prolog = b"<?pi?>" * 200_000 + b"<!-- c -->" * 200_000
    started = time.perf_counter()
    assert "DOCTYPE" in refusal(prolog + b"<!DOCTYPE a []><a/>").message
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"<a>\n<b></a>", "line 2"),
        (b'<?xml version="1.0"?>\n<a><b>\n', "not well-formed"),
        (b"just text", "not well-formed"),
        ("<a>caf\u00e9</a>".encode("latin-1"), "UTF-8"),
    ],
    ids=["empty", "blank", "mismatched tag", "unclosed", "not xml", "latin-1"],
)
def test_broken_files_are_refused_with_a_useful_message(source: bytes, fragment: str) -> None:
    assert fragment in refusal(source).message


def test_not_bpmn_is_refused() -> None:
    xhtml = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head>'
        b"<body><p>Not a process</p></body></html>"
    )
    parse_xml(xhtml, "page.bpmn")  # well-formed: the loader itself accepts it
    with pytest.raises(DefinitionRejected) as info:
        validate_definition({"page.bpmn": xhtml}, ROLES)
    [problem] = info.value.problems
    assert "not a BPMN file" in problem.message and "xhtml" in problem.message


def test_valid_file_parses() -> None:
    root = parse_xml(VALID_BPMN, "valid_nomination.bpmn")
    assert root.tag == "{http://www.omg.org/spec/BPMN/20100524/MODEL}definitions"
