"""Finding organisations by the name a person types: whatever the case, the diacritics or the
spacing, exact names before names that merely contain the text."""

from __future__ import annotations

from workflows.names import folded
from workflows.orgs import by_name

SCHOOLS = {
    "LVT": "Trường THPT Lê Văn Tám",
    "LVT2": "Trường THPT Lê Văn Tám 2",
    "DTH": "Trường Tiểu học Đinh Tiên Hoàng",
    "THUY": "Trường Mầm non Hoa Thuỷ",
}


def test_the_folded_key_ignores_case_diacritics_and_spacing() -> None:
    assert folded("  Trường THPT  Lê Văn Tám ") == "truong thpt le van tam"
    assert folded("ĐINH TIÊN HOÀNG") == folded("dinh tien hoang") == "dinh tien hoang"
    assert folded("Thuý") == folded("Thúy") == folded("thuy")


def test_an_exact_name_finds_that_organisation_only() -> None:
    assert by_name(SCHOOLS, "Trường THPT Lê Văn Tám") == ["LVT"]
    assert by_name(SCHOOLS, "truong thpt le van tam") == ["LVT"]


def test_part_of_a_name_finds_every_organisation_containing_it_in_name_order() -> None:
    assert by_name(SCHOOLS, "le van tam") == ["LVT", "LVT2"]
    assert by_name(SCHOOLS, "đinh tiên") == ["DTH"]
    assert by_name(SCHOOLS, "hoa thủy") == ["THUY"]
    assert by_name(SCHOOLS, "Lê Lợi") == []
    assert by_name(SCHOOLS, "   ") == []
