"""A BPMN diagram drawn server-side as inline SVG from the BPMNDI of the stored XML: pools and
lanes as outlines, tasks as rounded rectangles, events as circles, gateways as diamonds,
flows as polylines, names as text. Elements of the path taken carry the class `done`, the
ones waiting now `active`, the ones that failed `error`. No script: the pages' CSP forbids it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {
    "bpmn": MODEL,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
SVG = "http://www.w3.org/2000/svg"
MARGIN = 10.0
LINE_CHARS = 18  # characters per line of a task's name
LINE_HEIGHT = 13.0


@dataclass(frozen=True)
class Path:
    """The BPMN element ids by how far the instance got with them."""

    done: Collection[str] = ()
    active: Collection[str] = ()
    error: Collection[str] = ()
    started: bool = False  # the instance began: its process's start events count as done

    def state(self, element_id: str) -> str:
        if element_id in self.error:
            return "error"
        if element_id in self.active:
            return "active"
        if element_id in self.done:
            return "done"
        return ""


def _bounds(shape: etree._Element) -> tuple[float, float, float, float] | None:
    found = shape.find("dc:Bounds", NS)
    if found is None:
        return None
    return tuple(float(found.get(k, "0")) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _kind(tag: str) -> str:
    name = etree.QName(tag).localname
    if name == "participant":
        return "pool"
    if name == "lane":
        return "lane"
    if name.endswith("Event"):
        return "event"
    if name.endswith("Gateway"):
        return "gateway"
    if name.endswith("Task") or name in ("task", "subProcess", "callActivity"):
        return "task"
    return "other"


def _wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _text(parent: etree._Element, x: float, y: float, text: str, css: str) -> None:
    lines = _wrap(text)
    top = y - (len(lines) - 1) * LINE_HEIGHT / 2
    node = etree.SubElement(parent, f"{{{SVG}}}text", {"class": css, "x": f"{x:.0f}"})
    for index, line in enumerate(lines):
        span = etree.SubElement(
            node, f"{{{SVG}}}tspan", {"x": f"{x:.0f}", "y": f"{top + index * LINE_HEIGHT:.0f}"}
        )
        span.text = line


def render(xml: str, path: Path, title: str = "") -> str:
    """The diagram of `xml` as an <svg> element (text), with `path` highlighted."""
    root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
    elements = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    if path.started:
        starts = {str(e.get("id")) for e in root.findall("bpmn:process/bpmn:startEvent", NS)}
        path = Path({*path.done, *starts}, path.active, path.error)
    shapes = root.findall(".//bpmndi:BPMNShape", NS)
    edges = root.findall(".//bpmndi:BPMNEdge", NS)
    boxes = [b for b in (_bounds(s) for s in shapes) if b is not None]
    if not boxes:
        return ""
    left = min(b[0] for b in boxes) - MARGIN
    top = min(b[1] for b in boxes) - MARGIN
    width = max(b[0] + b[2] for b in boxes) + MARGIN - left
    height = max(b[1] + b[3] for b in boxes) + MARGIN + 30 - top
    svg = etree.Element(
        f"{{{SVG}}}svg",
        {
            "class": "bpmn",
            "role": "img",
            "viewBox": f"{left:.0f} {top:.0f} {width:.0f} {height:.0f}",
            "width": f"{width:.0f}",
            "height": f"{height:.0f}",
        },
        nsmap={None: SVG},  # type: ignore[dict-item]
    )
    if title:
        etree.SubElement(svg, f"{{{SVG}}}title").text = title
    defs = etree.SubElement(svg, f"{{{SVG}}}defs")
    marker = etree.SubElement(
        defs,
        f"{{{SVG}}}marker",
        {
            "id": "bpmn-arrow",
            "viewBox": "0 0 10 10",
            "refX": "10",
            "refY": "5",
            "markerWidth": "10",
            "markerHeight": "10",
            "orient": "auto",
            "markerUnits": "userSpaceOnUse",
        },
    )
    etree.SubElement(marker, f"{{{SVG}}}path", {"d": "M0,0 L10,5 L0,10 z"})
    # Pools and lanes first, so everything else is drawn over them.
    ordered = sorted(shapes, key=lambda s: _kind(_tag(elements, s)) not in ("pool", "lane"))
    for shape in ordered:
        _shape(svg, shape, elements, path)
    for edge in edges:
        _edge(svg, edge, elements, path)
    return etree.tostring(svg, encoding="unicode")


def render_version(sources: Mapping[str, Any], path: Path, title: str = "") -> str:
    """The diagram of a definition version's BPMN file (its `sources`), or "" without one."""
    for name, xml in sources.items():
        if name.endswith(".bpmn") and isinstance(xml, str):
            return render(xml, path, title)
    return ""


def _tag(elements: dict[str | None, etree._Element], shape: etree._Element) -> str:
    element = elements.get(shape.get("bpmnElement"))
    return str(element.tag) if element is not None else f"{{{MODEL}}}unknown"


def _shape(
    svg: etree._Element,
    shape: etree._Element,
    elements: dict[str | None, etree._Element],
    path: Path,
) -> None:
    box = _bounds(shape)
    element_id = shape.get("bpmnElement") or ""
    element = elements.get(element_id)
    if box is None or element is None:
        return
    x, y, w, h = box
    kind = _kind(str(element.tag))
    state = path.state(element_id)
    group = etree.SubElement(
        svg,
        f"{{{SVG}}}g",
        {"class": f"bpmn-{kind} {state}".strip(), "data-element": element_id},
    )
    name = element.get("name") or ""
    if kind in ("pool", "lane"):
        etree.SubElement(
            group,
            f"{{{SVG}}}rect",
            {"x": f"{x:.0f}", "y": f"{y:.0f}", "width": f"{w:.0f}", "height": f"{h:.0f}"},
        )
        if name:
            label = etree.SubElement(
                group,
                f"{{{SVG}}}text",
                {
                    "class": "bpmn-lane-name",
                    "transform": f"translate({x + 18:.0f},{y + h / 2:.0f}) rotate(-90)",
                },
            )
            label.text = name
        return
    if kind == "event":
        etree.SubElement(
            group,
            f"{{{SVG}}}circle",
            {"cx": f"{x + w / 2:.0f}", "cy": f"{y + h / 2:.0f}", "r": f"{min(w, h) / 2:.0f}"},
        )
    elif kind == "gateway":
        points = f"{x + w / 2:.0f},{y:.0f} {x + w:.0f},{y + h / 2:.0f} "
        points += f"{x + w / 2:.0f},{y + h:.0f} {x:.0f},{y + h / 2:.0f}"
        etree.SubElement(group, f"{{{SVG}}}polygon", {"points": points})
    else:
        etree.SubElement(
            group,
            f"{{{SVG}}}rect",
            {
                "x": f"{x:.0f}",
                "y": f"{y:.0f}",
                "width": f"{w:.0f}",
                "height": f"{h:.0f}",
                "rx": "10",
                "ry": "10",
            },
        )
    if name:
        etree.SubElement(group, f"{{{SVG}}}title").text = name
        if kind == "task":
            _text(group, x + w / 2, y + h / 2 + 4, name, "bpmn-name")
        else:
            _text(group, x + w / 2, y + h + 14, name, "bpmn-name small")


def _edge(
    svg: etree._Element,
    edge: etree._Element,
    elements: dict[str | None, etree._Element],
    path: Path,
) -> None:
    element_id = edge.get("bpmnElement") or ""
    element = elements.get(element_id)
    points = [
        f"{float(p.get('x', '0')):.0f},{float(p.get('y', '0')):.0f}"
        for p in edge.findall("di:waypoint", NS)
    ]
    if element is None or len(points) < 2:
        return
    source, target = element.get("sourceRef") or "", element.get("targetRef") or ""
    taken = source in path.done and (target in path.done or target in path.active)
    etree.SubElement(
        svg,
        f"{{{SVG}}}polyline",
        {
            "class": "bpmn-flow done" if taken else "bpmn-flow",
            "points": " ".join(points),
            "marker-end": "url(#bpmn-arrow)",
            "data-element": element_id,
        },
    )
