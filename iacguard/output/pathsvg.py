"""Attack paths drawn as inline SVG, the layout computed here (no graphviz, no JavaScript).

    path_svg(path, severity="high", title="")   one path: internet -> entry point -> ... -> asset
    overview_svg(paths, severities)             the internet and each distinct entry point

Each function returns one `<svg xmlns="http://www.w3.org/2000/svg" ...>` element as a string, to
be put inside the HTML report (whose Content-Security-Policy allows no inline style attribute, so
everything here is a presentation attribute: fill, stroke, font-size; the class names are there so
the page may restyle). What an SVG could do besides drawing is never written: no <script>, no
<foreignObject>, no <a>, <image> or <use>, no href, no event attribute, no style, no url(), no id
(a page holds many of these drawings; arrowheads are drawn as polygons, not markers).

Every text from the scanned tree (addresses, types, messages, layer names) is made visible
(`iacguard.output.escape.visible`: control, bidi and invisible characters become `\\x1b`,
`\\u202e`), then XML-escaped. A label too long for its box is shortened in the middle with "…",
the full text kept in a <title> (a tooltip in browsers, read by screen readers).

Layout of one path: an "internet" cloud, then each step as a rounded box (address, resource type
as a smaller second line) left to right, a new row starting when the next box would pass
ROW_WIDTH; an arrow between consecutive nodes (into the left side of the first box of a new row, led
around the left margin). A step with `missing` layers has a red border and a badge per layer
("missing: waf") under the box; the asset (last step) is filled with its severity's light colour
and labelled. A path of more than MAX_DRAWN_STEPS steps keeps its first MAX_DRAWN_STEPS - 1 steps
and the asset, with a dashed box saying how many steps were left out between them.

Text widths are estimated from a small per-character table (no font metrics offline); the estimate
errs wide, so a label shortened here fits its box in the usual sans-serif fonts.
"""
from __future__ import annotations

import math
import unicodedata

from iacguard.check import SEVERITY_RANK
from iacguard.output.escape import visible

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# Paths longer than this are drawn with their first MAX_DRAWN_STEPS - 1 steps, a box saying how many
# were left out, and their last step (the asset). SARIF keeps 1,000 (GitHub's limit); a drawing of 24
# boxes is already seven rows, and the paths the check finds have fewer than ten steps.
MAX_DRAWN_STEPS = 24
# A <title> (tooltip) or data- attribute holds at most this many characters of a label, a step's
# message or the path's title (a hostile address of a megabyte stays out of the page).
MAX_TITLE_CHARS = 2000
# Entry points the overview draws (the worst first); the rest are counted in a note.
MAX_OVERVIEW_ENTRIES = 100

# (stroke / strong colour, light fill, text colour on the strong colour)
SEVERITY_COLOURS = {
    "critical": ("#7f1d1d", "#fde2e2", "#ffffff"),
    "high": ("#dc2626", "#fee2e2", "#ffffff"),
    "medium": ("#ea580c", "#ffedd5", "#ffffff"),
    "low": ("#ca8a04", "#fef9c3", "#1f2937"),
}
UNKNOWN_COLOURS = ("#64748b", "#f1f5f9", "#ffffff")
MISSING_COLOUR = "#dc2626"
TEXT_COLOUR = "#0f172a"
MUTED_COLOUR = "#475569"
BOX_STROKE = "#94a3b8"
BOX_FILL = "#ffffff"
LINE_COLOUR = "#64748b"
CLOUD_FILL = "#e0f2fe"
CLOUD_STROKE = "#0284c7"

MARGIN = 24
ROW_WIDTH = 1060  # a row's boxes and gaps stay within this width
GAP = 32  # between two boxes of a row (the arrow)
STEP_W, STEP_H = 236, 52
CLOUD_W, CLOUD_H = 120, 52
GAP_W = 160  # the "N steps left out" box
LABEL_H = 18  # above a row's boxes: "entry point", "asset · high"
BADGE_H, BADGE_GAP = 17, 3
ROW_GAP = 30  # between the lowest badge of a row and the next row's labels
TITLE_LINE = 20  # a line of the title
TITLE_WIDTH = 640  # the title wraps at this width (the drawing is at least this wide with a title)
ADDRESS_SIZE, TYPE_SIZE, LABEL_SIZE, BADGE_SIZE, TITLE_SIZE = 13, 11, 11, 10.5, 14
PAD = 10  # text inset in a box
ROOT_FONT_SIZE = 13  # the <svg>'s font-size and fill (TEXT_COLOUR), inherited by its texts


# --- text ------------------------------------------------------------------------------------

def _xml(text: str, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;").replace("'", "&#39;")
    return text


_MIN_EM = 0.36  # the narrowest advance _char_em gives
_NARROW = set("iljtfrI.,:;'!|()[]{} `\"/\\")
_WIDE = set("mwMW@%")


def _char_em(ch: str) -> float:
    """Advance of `ch` in em, about DejaVu Sans (the widest of the usual sans-serif fonts)."""
    if ch in _NARROW:
        return _MIN_EM
    if ch in _WIDE:
        return 0.96
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.05
    if ch.isupper():
        return 0.72
    if ch.isdigit():
        return 0.64
    return 0.6


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width in px of `text` at font size `size` (errs wide)."""
    em = sum(_char_em(ch) for ch in text)
    return em * size * (1.1 if bold else 1.0)


def wrap(text: str, width: float, size: float, lines: int, bold: bool = False) -> list:
    """`text` (made visible) broken at spaces into at most `lines` lines of `width` px, the last one
    cut with "…" when the text goes on; a word longer than a line is shortened in the middle."""
    out: list = []
    words = text.split(" ")
    current = ""
    i = 0
    while i < len(words):
        cand = (current + " " + words[i]) if current else words[i]
        if text_width(cand, size, bold) <= width:
            current = cand
            i += 1
            continue
        if not current:  # one word wider than a line
            current = fit(words[i], width, size, bold)
            i += 1
        out.append(current)
        current = ""
        if len(out) == lines:
            break
    if current and len(out) < lines:
        out.append(current)
    if i < len(words) and out:
        last = out[-1]
        while last and text_width(last + " …", size, bold) > width:
            last = last[:-1]
        out[-1:] = [last.rstrip() + " …"]
    return out


def fit(text: str, width: float, size: float, bold: bool = False) -> str:
    """`text` (already made visible) shortened in the middle with "…" to fit `width` px."""
    most = int(width / (_MIN_EM * size)) + 1  # no more characters than this can fit
    if len(text) <= most and text_width(text, size, bold) <= width:
        return text
    ell = text_width("…", size, bold)
    lo, hi = 0, min(len(text), most)
    best = "…"
    while lo <= hi:  # longest keep such that head + … + tail fits; the tail (a name) gets 2/3
        keep = (lo + hi) // 2
        head = keep // 3
        tail = keep - head
        cand = text[:head] + "…" + (text[len(text) - tail:] if tail else "")
        if text_width(cand, size, bold) <= width or keep == 0:
            if keep == 0 and ell > width:
                return "…"
            best = cand
            lo = keep + 1
        else:
            hi = keep - 1
    return best


def _n(v: float) -> str:
    """A coordinate, deterministic and short."""
    r = round(v, 1)
    return str(int(r)) if r == int(r) else "%.1f" % r


def _label(x: float, y: float, shown_full: str, width: float, size: float, *, bold=False,
           fill=TEXT_COLOUR, anchor="start", cls="") -> str:
    """A <text> of `shown_full` (made visible, not yet escaped) fitted to `width`; the full text as
    its <title> when shortened."""
    shown = fit(shown_full, width, size, bold)
    attrs = 'x="%s" y="%s"' % (_n(x), _n(y))
    if size != ROOT_FONT_SIZE:
        attrs += ' font-size="%s"' % _n(size)
    if fill != TEXT_COLOUR:
        attrs += ' fill="%s"' % fill
    if bold:
        attrs += ' font-weight="600"'
    if anchor != "start":
        attrs += ' text-anchor="%s"' % anchor
    if cls:
        attrs += ' class="%s"' % cls
    title = "<title>%s</title>" % _xml(_capped(shown_full)) if shown != shown_full else ""
    return "<text %s>%s%s</text>" % (attrs, title, _xml(shown))


def _capped(text: str) -> str:
    """Text for a <title> or a data- attribute: whole up to MAX_TITLE_CHARS characters."""
    if len(text) <= MAX_TITLE_CHARS:
        return text
    return text[:MAX_TITLE_CHARS] + "… (%d characters)" % len(text)


def _colours(severity) -> tuple:
    return SEVERITY_COLOURS.get(str(severity).lower() if severity else "", UNKNOWN_COLOURS)


def _severity_name(severity) -> str:
    s = str(severity).lower() if severity else ""
    return s if s in SEVERITY_COLOURS else "unknown"


# --- shapes ----------------------------------------------------------------------------------

def _cloud(x: float, y: float, w: float = CLOUD_W, h: float = CLOUD_H) -> str:
    """The internet: a cloud in the box (x, y, w, h) (drawn for 120 x 52, scaled)."""
    sx, sy = w / 120.0, h / 52.0

    def p(px, py):
        return "%s %s" % (_n(x + px * sx), _n(y + py * sy))

    d = ("M %s A %s 0 0 1 %s A %s 0 0 1 %s A %s 0 0 1 %s A %s 0 0 1 %s A %s 0 0 1 %s Z" % (
        p(24, 50),
        "%s %s" % (_n(13 * sx), _n(13 * sy)), p(20, 25),
        "%s %s" % (_n(17 * sx), _n(17 * sy)), p(50, 8),
        "%s %s" % (_n(19 * sx), _n(19 * sy)), p(88, 12),
        "%s %s" % (_n(14 * sx), _n(14 * sy)), p(104, 30),
        "%s %s" % (_n(11 * sx), _n(11 * sy)), p(96, 50),
    ))
    return (
        '<g class="internet" data-node="internet"><title>The internet</title>'
        '<path d="%s" fill="%s" stroke="%s" stroke-width="1.5" stroke-linejoin="round"/>'
        '<text x="%s" y="%s" font-size="12.5" font-weight="600" fill="#075985" text-anchor="middle">'
        "internet</text></g>"
        % (d, CLOUD_FILL, CLOUD_STROKE, _n(x + 60 * sx), _n(y + 37 * sy))
    )


def _arrow_head(x: float, y: float, direction: str) -> str:
    """A triangle whose tip is at (x, y), pointing right or down (filled and stroked by its group,
    the stroke rounding it)."""
    if direction == "right":
        pts = (x - 1, y, x - 7, y - 3.5, x - 7, y + 3.5)
    else:
        pts = (x, y - 1, x - 3.5, y - 7, x + 3.5, y - 7)
    return '<polygon points="%s,%s %s,%s %s,%s"/>' % tuple(_n(v) for v in pts)


# Attributes of a group holding arrows (each arrow's path says fill="none").
ARROWS_GROUP = 'fill="%s" stroke="%s" stroke-width="1.6" stroke-linejoin="round"' % (LINE_COLOUR, LINE_COLOUR)


def _arrow(points: list, colour: str = "", cls: str = "arrow", extra: str = "") -> str:
    """A polyline through `points`, its head at the last one (the last segment horizontal or down),
    inside a group with ARROWS_GROUP's attributes; `colour` overrides the group's."""
    (x1, y1), (x2, y2) = points[-2], points[-1]
    direction = "right" if y1 == y2 else "down"
    shaft = list(points[:-1]) + [(x2 - 6, y2) if direction == "right" else (x2, y2 - 6)]
    d = "M " + " L ".join("%s %s" % (_n(px), _n(py)) for px, py in shaft)
    paint = ' fill="%s" stroke="%s"' % (colour, colour) if colour else ""
    return '<g class="%s"%s%s><path d="%s" fill="none"/>%s</g>' % (
        cls, extra, paint, d, _arrow_head(x2, y2, direction))


def _pill(x: float, y: float, text: str, fill: str, colour: str, size: float = BADGE_SIZE,
          cls: str = "badge", max_w: float = STEP_W) -> tuple:
    """A small rounded label with its top-left at (x, y); returns (svg, width). `text` is made visible."""
    shown = fit(text, max_w - 12, size)
    w = min(max_w, text_width(shown, size) + 12)
    title = "<title>%s</title>" % _xml(_capped(text)) if shown != text else ""
    return (
        '<g class="%s">%s<rect x="%s" y="%s" width="%s" height="%s" rx="%s" fill="%s"/>'
        '<text x="%s" y="%s" font-size="%s" fill="%s" text-anchor="middle">%s</text></g>' % (
            cls, title, _n(x), _n(y), _n(w), _n(BADGE_H), _n(BADGE_H / 2), fill,
            _n(x + w / 2), _n(y + BADGE_H - 5), _n(size), colour, _xml(shown)),
        w,
    )


# --- one path --------------------------------------------------------------------------------

def _missing_of(step) -> tuple:
    missing = getattr(step, "missing", ()) or ()
    if isinstance(missing, str):
        missing = (missing,)
    try:
        return tuple(visible(m) for m in missing if m not in (None, ""))
    except TypeError:
        return ()


def _resource_of(step) -> tuple:
    res = getattr(step, "resource", None)
    address = getattr(res, "address", None) or getattr(res, "id", None) or "?"
    rtype = getattr(res, "type", None) or ""
    return visible(address), visible(rtype)


def _nodes(path) -> tuple:
    """The nodes drawn: ("internet",), ("step", index, step), ("gap", left_out); and how many steps
    were left out."""
    steps = list(path or ())
    nodes = [("internet",)]
    left_out = 0
    if len(steps) > MAX_DRAWN_STEPS:
        left_out = len(steps) - MAX_DRAWN_STEPS
        kept = list(enumerate(steps[: MAX_DRAWN_STEPS - 1]))
        nodes += [("step", i, s) for i, s in kept]
        nodes.append(("gap", left_out))
        nodes.append(("step", len(steps) - 1, steps[-1]))
    else:
        nodes += [("step", i, s) for i, s in enumerate(steps)]
    return nodes, left_out


def _node_width(node) -> float:
    return {"internet": CLOUD_W, "gap": GAP_W}.get(node[0], STEP_W)


def path_svg(path, *, severity: str, title: str = "") -> str:
    """One attack path as an SVG element (a string). `path`: PathSteps from the entry point to the
    asset; `severity`: the finding's (colours the asset); `title`: a heading drawn on top."""
    try:
        steps = tuple(path or ())
    except TypeError:
        steps = ()
    nodes, left_out = _nodes(steps)
    n_steps = len(steps)
    sev = _severity_name(severity)
    strong, light, on_strong = _colours(sev)

    # Rows: place nodes left to right, wrapping before ROW_WIDTH.
    rows: list = [[]]
    x = 0.0
    for node in nodes:
        w = _node_width(node)
        if rows[-1] and x + w > ROW_WIDTH:
            rows.append([])
            x = 0.0
        rows[-1].append((node, x, w))
        x += w + GAP

    content_w = max(px + w for row in rows for _, px, w in row)
    title_w = max(TITLE_WIDTH, content_w)
    indent = min(80, text_width(sev, 11) + 12) + 10  # the severity pill, then the title
    title_lines = wrap(visible(title), title_w - indent, TITLE_SIZE, 2, bold=True) if title else []
    top = MARGIN + (len(title_lines) * TITLE_LINE + 8 if title_lines else 0)
    placed = []  # (node, x, y, w, h, row)
    y = top
    for r, row in enumerate(rows):
        badges = max((len(_missing_of(n[2])) for n, _, _ in row if n[0] == "step"), default=0)
        box_y = y + LABEL_H
        for node, nx, w in row:
            h = CLOUD_H if node[0] == "internet" else STEP_H
            placed.append((node, MARGIN + nx, box_y, w, h, r))
        y = box_y + STEP_H + (badges * (BADGE_H + BADGE_GAP) + 4 if badges else 0) + ROW_GAP
    height = y - ROW_GAP + MARGIN
    width = (title_w if title_lines else content_w) + 2 * MARGIN

    out = ['<g class="arrows" %s>' % ARROWS_GROUP]
    # Arrows first, so boxes sit on top of them.
    for a, b in zip(placed, placed[1:]):
        _, ax, ay, aw, ah, ar = a
        node_b, bx, by, bw, bh, br = b
        to = ' data-to="%s"' % _xml(_capped(_resource_of(node_b[2])[0]), True) if node_b[0] == "step" else ""
        if ar == br:
            out.append(_arrow([(ax + aw, ay + ah / 2), (bx, by + bh / 2)], extra=to))
        else:  # around: right of the row's last box, down under its badges, left margin, into the next row
            right = ax + aw + 12
            mid = by - LABEL_H - ROW_GAP / 2
            left = MARGIN - 14
            out.append(_arrow([(ax + aw, ay + ah / 2), (right, ay + ah / 2), (right, mid), (left, mid),
                               (left, by + bh / 2), (bx, by + bh / 2)], extra=to))

    out.append("</g>")
    last_index = n_steps - 1
    for node, nx, ny, w, h, r in placed:
        if node[0] == "internet":
            out.append(_cloud(nx, ny, w, h))
            continue
        if node[0] == "gap":
            out.append(
                '<g class="gap" data-left-out="%d"><title>%d steps of this path are not drawn</title>'
                '<rect x="%s" y="%s" width="%s" height="%s" rx="10" fill="#f8fafc" stroke="%s" '
                'stroke-width="1.2" stroke-dasharray="5 4"/>'
                '<text x="%s" y="%s" font-size="12" fill="%s" text-anchor="middle">… %d steps left out</text></g>'
                % (node[1], node[1], _n(nx), _n(ny), _n(w), _n(h), BOX_STROKE,
                   _n(nx + w / 2), _n(ny + h / 2 + 4), MUTED_COLOUR, node[1]))
            continue
        index, step = node[1], node[2]
        address, rtype = _resource_of(step)
        missing = _missing_of(step)
        is_asset = index == last_index
        is_entry = index == 0
        classes = ["step"] + (["entry"] if is_entry else []) + (["asset"] if is_asset else []) + (
            ["missing"] if missing else [])
        fill = light if is_asset else BOX_FILL
        if missing:
            stroke, stroke_w = MISSING_COLOUR, 2.4
        elif is_asset:
            stroke, stroke_w = strong, 2.2
        else:
            stroke, stroke_w = BOX_STROKE, 1.2
        message = getattr(step, "message", "") or ""
        g = ['<g class="%s" data-index="%d" data-address="%s" data-type="%s" data-missing="%s">' % (
            " ".join(classes), index, _xml(_capped(address), True), _xml(_capped(rtype), True),
            _xml(_capped(" ".join(missing)), True))]
        g.append("<title>%s</title>" % _xml(_capped(visible(message) or address)))
        tags = []
        if is_entry:
            tags.append("entry point")
        if is_asset:
            tags.append("asset · " + sev)
        if tags:
            g.append('<text x="%s" y="%s" font-size="%s" fill="%s" class="tag"%s>%s</text>' % (
                _n(nx + 2), _n(ny - 5), _n(LABEL_SIZE), strong if is_asset else MUTED_COLOUR,
                ' font-weight="600"' if is_asset else "", _xml(" · ".join(tags))))
        g.append('<rect x="%s" y="%s" width="%s" height="%s" rx="9" fill="%s" stroke="%s" stroke-width="%s"/>' % (
            _n(nx), _n(ny), _n(w), _n(h), fill, stroke, _n(stroke_w)))
        if is_asset:  # a severity band on the left edge
            g.append('<rect x="%s" y="%s" width="5" height="%s" rx="2" fill="%s"/>' % (
                _n(nx + 3), _n(ny + 8), _n(h - 16), strong))
        g.append(_label(nx + PAD + (4 if is_asset else 0), ny + 22, address, w - 2 * PAD - 4, ADDRESS_SIZE,
                        bold=True, cls="address"))
        if rtype:
            g.append(_label(nx + PAD + (4 if is_asset else 0), ny + 39, rtype, w - 2 * PAD - 4, TYPE_SIZE,
                            fill=MUTED_COLOUR, cls="type"))
        by = ny + h + BADGE_GAP + 1
        for layer in missing:
            pill, _ = _pill(nx + 6, by, "missing: " + layer, MISSING_COLOUR, "#ffffff", max_w=w - 12)
            g.append(pill)
            by += BADGE_H + BADGE_GAP
        g.append("</g>")
        out.append("".join(g))

    head = []
    if title_lines:
        pill, pw = _pill(MARGIN, MARGIN + 2, sev, strong, on_strong, size=11, cls="severity", max_w=80)
        head.append(pill)
        shown_title = visible(title)
        full = "<title>%s</title>" % _xml(_capped(shown_title)) if " ".join(title_lines) != shown_title else ""
        head.append('<text class="path-title" font-size="%s" font-weight="600" fill="%s">%s%s</text>' % (
            _n(TITLE_SIZE), TEXT_COLOUR, full, "".join(
                '<tspan x="%s" y="%s">%s</tspan>' % (
                    _n(MARGIN + indent), _n(MARGIN + 14 + k * TITLE_LINE), _xml(line))
                for k, line in enumerate(title_lines))))

    # The accessible name: the chain in words.
    names = [_resource_of(s)[0] for s in steps[:3]]
    if n_steps:
        chain = "Attack path (%s) from the internet to %s in %d step%s: %s%s" % (
            sev, _resource_of(steps[-1])[0], n_steps, "" if n_steps == 1 else "s", " → ".join(names),
            " → …" if n_steps > 3 else "")
    else:
        chain = "Attack path (%s) with no steps" % sev
    gaps = ["%s (missing: %s)" % (_resource_of(s)[0], ", ".join(_missing_of(s))) for s in steps if _missing_of(s)]
    if gaps:
        chain += ". Layers missing at " + "; ".join(gaps[:10]) + ("; …" if len(gaps) > 10 else "")
    if left_out:
        chain += ". %d steps not drawn" % left_out
    if len(chain) > 600:
        chain = chain[:599] + "…"

    return (
        '<svg xmlns="%s" class="path-svg" role="img" aria-label="%s" width="%s" height="%s" '
        'viewBox="0 0 %s %s" font-family="%s" font-size="13" fill="%s" data-severity="%s" data-steps="%d" data-left-out="%d">'
        '%s%s</svg>' % (
            SVG_NS, _xml(chain, True), _n(width), _n(height), _n(width), _n(height), FONT_FAMILY, TEXT_COLOUR, sev,
            n_steps, left_out, "".join(head), "".join(out))
    )


# --- overview --------------------------------------------------------------------------------

OV_ENTRY_W, OV_ENTRY_H = 230, 44
OV_ROW_GAP, OV_COL_GAP = 10, 28
OV_ROWS_MIN = 8  # a new column only once a column holds this many entries


def overview_svg(paths, severities) -> str:
    """The internet and each distinct entry point (first step of a path), with the number of paths
    from it and the worst severity among them, linked by lines."""
    paths = list(paths or ())
    severities = list(severities or ())
    entries: dict = {}  # key -> [address, type, count, worst, first seen]
    for i, path in enumerate(paths):
        try:
            first = tuple(path or ())[:1]
        except TypeError:
            continue
        if not first:
            continue
        res = getattr(first[0], "resource", None)
        address, rtype = _resource_of(first[0])
        key = str(getattr(res, "id", None) or address)
        sev = _severity_name(severities[i] if i < len(severities) else "")
        entry = entries.setdefault(key, [address, rtype, 0, "unknown", i])
        entry[2] += 1
        if SEVERITY_RANK.get(sev, 0) > SEVERITY_RANK.get(entry[3], 0):
            entry[3] = sev
    ordered = sorted(entries.items(), key=lambda kv: (
        -SEVERITY_RANK.get(kv[1][3], 0), -kv[1][2], kv[1][0], kv[0]))
    total = len(ordered)
    drawn = ordered[:MAX_OVERVIEW_ENTRIES]
    not_drawn = total - len(drawn)

    cols = max(1, min(4, math.ceil(len(drawn) / OV_ROWS_MIN))) if drawn else 1
    rows = math.ceil(len(drawn) / cols) if drawn else 0
    bus_y = MARGIN + CLOUD_H + 18
    out = [_cloud(MARGIN, MARGIN)]
    cloud_cx = MARGIN + CLOUD_W / 2
    col_x = [cloud_cx + c * (OV_ENTRY_W + 18 + OV_COL_GAP) for c in range(cols)]  # trunk x
    bottom = bus_y
    if drawn:
        last_trunk = col_x[min(cols, math.ceil(len(drawn) / rows)) - 1]
        out.append('<path class="bus" d="M %s %s L %s %s L %s %s" fill="none" stroke="%s" stroke-width="1.6" '
                   'stroke-linejoin="round"/>' % (
                       _n(cloud_cx), _n(MARGIN + CLOUD_H), _n(cloud_cx), _n(bus_y), _n(max(last_trunk, cloud_cx)),
                       _n(bus_y), LINE_COLOUR))
        for c in range(cols):
            column = drawn[c * rows:(c + 1) * rows]
            if not column:
                continue
            tx = col_x[c]
            last_cy = bus_y + 16 + (len(column) - 1) * (OV_ENTRY_H + OV_ROW_GAP) + OV_ENTRY_H / 2
            out.append('<path class="trunk" d="M %s %s L %s %s" fill="none" stroke="%s" stroke-width="1.6"/>' % (
                _n(tx), _n(bus_y), _n(tx), _n(last_cy), LINE_COLOUR))
            for r, (key, (address, rtype, count, worst, _first)) in enumerate(column):
                ex = tx + 18
                ey = bus_y + 16 + r * (OV_ENTRY_H + OV_ROW_GAP)
                strong, light, on_strong = _colours(worst)
                g = ['<g class="entry" data-address="%s" data-type="%s" data-paths="%d" data-severity="%s">' % (
                    _xml(_capped(address), True), _xml(_capped(rtype), True), count, worst)]
                g.append("<title>%s</title>" % _xml(_capped("%s (%s): %d attack path%s, worst %s" % (
                    address, rtype or "?", count, "" if count == 1 else "s", worst))))
                g.append('<g %s>%s</g>' % (ARROWS_GROUP, _arrow([(tx, ey + OV_ENTRY_H / 2), (ex, ey + OV_ENTRY_H / 2)],
                                                                colour=strong, cls="link")))
                g.append('<rect x="%s" y="%s" width="%s" height="%s" rx="8" fill="%s" stroke="%s" '
                         'stroke-width="1.6"/>' % (
                    _n(ex), _n(ey), _n(OV_ENTRY_W), _n(OV_ENTRY_H), BOX_FILL, strong))
                g.append('<rect x="%s" y="%s" width="5" height="%s" rx="2" fill="%s"/>' % (
                    _n(ex + 3), _n(ey + 6), _n(OV_ENTRY_H - 12), strong))
                count_text = "%d path%s" % (count, "" if count == 1 else "s")
                pill_w = text_width(count_text, BADGE_SIZE) + 12
                g.append(_label(ex + 14, ey + 19, address, OV_ENTRY_W - 26 - pill_w - 6, ADDRESS_SIZE, bold=True,
                                cls="address"))
                g.append(_label(ex + 14, ey + 35, rtype + (" · " if rtype else "") + worst, OV_ENTRY_W - 24,
                                TYPE_SIZE, fill=MUTED_COLOUR, cls="type"))
                pill, _ = _pill(ex + OV_ENTRY_W - pill_w - 8, ey + 7, count_text, strong, on_strong, cls="count")
                g.append(pill)
                g.append("</g>")
                out.append("".join(g))
                bottom = max(bottom, ey + OV_ENTRY_H)
        width = col_x[min(cols, math.ceil(len(drawn) / rows)) - 1] + 18 + OV_ENTRY_W + MARGIN
    else:
        out.append('<text x="%s" y="%s" font-size="13" fill="%s" class="note">No attack path from the internet'
                   ' was found.</text>' % (_n(MARGIN + CLOUD_W + 16), _n(MARGIN + CLOUD_H / 2 + 5), MUTED_COLOUR))
        width = MARGIN + CLOUD_W + 16 + 260 + MARGIN
    if not_drawn:
        bottom += 22
        out.append('<text x="%s" y="%s" font-size="12" fill="%s" class="note" data-not-drawn="%d">… and %d more '
                   'entry point%s not drawn (the findings list them all)</text>' % (
                       _n(MARGIN), _n(bottom), MUTED_COLOUR, not_drawn, not_drawn, "" if not_drawn == 1 else "s"))
        width = max(width, 520)
    height = bottom + MARGIN

    n_paths = sum(e[2] for _, e in ordered)
    label = "Entry points from the internet: %d entry point%s, %d attack path%s" % (
        total, "" if total == 1 else "s", n_paths, "" if n_paths == 1 else "s")
    if ordered:
        label += "; worst: " + ", ".join("%s (%s, %d)" % (e[0], e[3], e[2]) for _, e in ordered[:5])
        label += ", …" if total > 5 else ""
    if len(label) > 600:
        label = label[:599] + "…"
    return (
        '<svg xmlns="%s" class="path-overview" role="img" aria-label="%s" width="%s" height="%s" '
        'viewBox="0 0 %s %s" font-family="%s" font-size="13" fill="%s" data-entries="%d" data-not-drawn="%d">%s</svg>' % (
            SVG_NS, _xml(label, True), _n(width), _n(height), _n(width), _n(height), FONT_FAMILY, TEXT_COLOUR, total,
            not_drawn, "".join(out))
    )
