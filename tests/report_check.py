#!/usr/bin/env python3
"""report_check.py - checks of a pdswap report and export with real parsers.

  report_check.py report DIR DB RUN [STEM=SERIES ...]
      index.html parses; every link and image names a file inside DIR (or
      an id of the page); every SVG parses as XML, has the size the page
      states and holds each expected series (a gnuplot plot group whose key
      text is SERIES and that draws something); every PNG decodes (chunk
      CRCs, zlib over the IDAT chunks, filtered scanline lengths) and has
      the size the page states; the page shows the run's config hash and
      tool version from the database; when the page links the swap trace,
      every span of the trace's swap category inside the figure's window is
      a box of the timeline at the same times (the figure and the trace are
      the same events).
  report_check.py same DIR1 DIR2
      both trees hold the same files with the same bytes.
  report_check.py roundtrip DB RUN FILE points|metrics|pareto csv|json
      the exported file holds exactly the rows and values of the view.

Exits 0 when every check passes, 1 with the failures listed otherwise.
"""
import csv
import filecmp
import html.parser
import json
import math
import os
import sqlite3
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

SVG = "{http://www.w3.org/2000/svg}"
failures = []


def fail(msg):
    failures.append(msg)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []  # (tag, attr, value, attrs)
        self.ids = set()
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if key in a:
                self.links.append((tag, key, a[key], a))

    def handle_data(self, data):
        self.text.append(data)


def png_size(path):
    """Decode a PNG far enough to prove it is whole; return (w, h)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    pos, idat, ihdr, seen_end = 8, b"", None, False
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError("bad CRC in chunk %r" % kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            seen_end = True
            break
        pos += 12 + n
    if not ihdr or not seen_end:
        raise ValueError("no IHDR or IEND chunk")
    w, h, depth, ctype, _, _, interlace = ihdr
    if interlace:
        raise ValueError("interlaced PNG not expected")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    row = 1 + (w * channels * depth + 7) // 8
    raw = zlib.decompress(idat)
    if len(raw) != h * row:
        raise ValueError("decoded %d bytes, want %d rows of %d" % (len(raw), h, row))
    for y in range(h):
        if raw[y * row] > 4:
            raise ValueError("row %d has filter type %d" % (y, raw[y * row]))
    return w, h


def svg_series(root):
    """Map each gnuplot plot group's key text to whether it draws anything."""
    out = {}
    for g in root.iter(SVG + "g"):
        gid = g.get("id", "")
        if not gid.startswith("gnuplot_plot_"):
            continue
        texts = ["".join(t.itertext()).strip() for t in g.iter(SVG + "text")]
        draws = any(e.tag in (SVG + "path", SVG + "use", SVG + "circle", SVG + "rect", SVG + "polygon")
                    for e in g.iter())
        for t in texts:
            if t:
                out[t] = out.get(t, False) or draws
    return out


def check_report(d, db, run, expect):
    page = Page()
    page.feed(open(os.path.join(d, "index.html"), encoding="utf-8").read())
    page.close()
    text = " ".join(page.text)
    root = os.path.realpath(d)
    svgs, pngs = {}, {}
    for tag, key, url, attrs in page.links:
        if url.startswith("#"):
            if url[1:] not in page.ids:
                fail("index.html: link %s names no id of the page" % url)
            continue
        if "://" in url or url.startswith("/") or url.startswith("data:") or ":" in url.split("/")[0]:
            fail("index.html: %s=%s is not a relative file name" % (key, url))
            continue
        path = os.path.realpath(os.path.join(d, url.split("#")[0]))
        if not path.startswith(root + os.sep):
            fail("index.html: %s leaves the report directory" % url)
        elif not os.path.isfile(path):
            fail("index.html: %s=%s names no file" % (key, url))
        elif url.endswith(".svg") and tag == "img":
            svgs[path] = (attrs.get("width"), attrs.get("height"))
        elif url.endswith(".png"):
            pngs[path] = (attrs.get("data-width"), attrs.get("data-height"))
    if not svgs or not pngs:
        fail("index.html shows no SVG figure or links no PNG")
    series = {}
    for path, (w, h) in sorted(svgs.items()):
        try:
            r = ET.parse(path).getroot()
        except ET.ParseError as e:
            fail("%s: not XML: %s" % (path, e))
            continue
        if r.tag != SVG + "svg":
            fail("%s: root element is %s" % (path, r.tag))
        if (r.get("width"), r.get("height")) != (w, h):
            fail("%s: %sx%s, the page states %sx%s" % (path, r.get("width"), r.get("height"), w, h))
        series[os.path.basename(path)[:-4]] = svg_series(r)
    for path, (w, h) in sorted(pngs.items()):
        try:
            size = png_size(path)
        except (ValueError, KeyError, zlib.error, struct.error) as e:
            fail("%s: does not decode: %s" % (path, e))
            continue
        if (str(size[0]), str(size[1])) != (w, h):
            fail("%s: %dx%d, the page states %sx%s" % (path, size[0], size[1], w, h))
    for e in expect:
        stem, _, title = e.partition("=")
        got = series.get(stem)
        if got is None:
            fail("no figure %s.svg on the page" % stem)
        elif title not in got:
            fail("%s.svg: no series '%s' (has: %s)" % (stem, title, "; ".join(sorted(got))))
        elif not got[title]:
            fail("%s.svg: series '%s' draws nothing" % (stem, title))
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    sha, ver = con.execute("SELECT config_sha256, tool_version FROM runs WHERE run_id=?", (run,)).fetchone()
    con.close()
    if any(url == "fig/swap_trace.json" for _, _, url, _ in page.links):
        check_swap_events(d)
    if sha not in text:
        fail("index.html does not show the config hash %s" % sha)
    if ver not in text:
        fail("index.html does not show the tool version %s" % ver)


def gp_boxes(path):
    """The (lo, hi) boxes of every datablock in a timeline script, and its x range."""
    boxes, xr, inblock = [], None, False
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("$") and line.endswith("<< EOD"):
            inblock = True
        elif line == "EOD":
            inblock = False
        elif inblock and line and not line.startswith("#"):
            f = [float(x) for x in line.split()]
            boxes.append((f[2], f[3]))
        elif line.startswith("set xrange ["):
            lo, hi = line[len("set xrange ["):].rstrip("]").split(":")
            xr = (float(lo), float(hi))
    return boxes, xr


def check_swap_events(d):
    trace = json.load(open(os.path.join(d, "fig", "swap_trace.json"), encoding="utf-8"))
    spans = [e for e in trace["traceEvents"] if e.get("ph") == "X"]
    swap = [e for e in spans if e.get("cat") == "swap"]
    if not swap:
        fail("swap_trace.json holds no swap span")
        return
    trig = min(e["ts"] for e in swap)
    boxes, xr = gp_boxes(os.path.join(d, "fig", "swap.gp"))
    if not xr or not (xr[0] < 0 < xr[1]):
        fail("swap.gp: the window %r does not hold the trigger" % (xr,))
        return
    for e in swap:
        lo = max((e["ts"] - trig) / 1e3, xr[0])
        hi = min((e["ts"] + e["dur"] - trig) / 1e3, xr[1])
        if not any(abs(b[0] - lo) < 1e-5 and (abs(b[1] - hi) < 1e-5 or hi - lo < 0.01 * (xr[1] - xr[0]))
                   for b in boxes):
            fail("swap.gp: no box for the trace's span %r at %.6f..%.6f ms" % (e["name"], lo, hi))
    n_window = sum(1 for e in spans if (e["ts"] - trig) / 1e3 <= xr[1] and (e["ts"] + e["dur"] - trig) / 1e3 >= xr[0])
    if n_window != len(boxes):
        fail("swap.gp draws %d boxes, the trace has %d spans in its window" % (len(boxes), n_window))


def check_same(a, b):
    def walk(top):
        out = []
        for base, _, files in os.walk(top):
            out += [os.path.relpath(os.path.join(base, f), top) for f in files]
        return sorted(out)
    fa, fb = walk(a), walk(b)
    if fa != fb:
        fail("the trees hold different files: %s vs %s" % (fa, fb))
        return
    for f in fa:
        if not filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False):
            fail("%s differs" % f)


QUERIES = {
    "points": "SELECT * FROM v_points WHERE run_id=? ORDER BY point_id",
    "metrics": "SELECT * FROM v_metrics WHERE run_id=? ORDER BY point_id, source, prompt",
    "pareto": "SELECT p.* FROM v_points p JOIN v_pareto f USING(run_id, point_id) WHERE p.run_id=?"
              " ORDER BY p.point_id",
}


def same_value(db_value, got, where):
    if db_value is None:
        ok = got is None or got == ""
    elif isinstance(db_value, bool) or isinstance(db_value, int):
        ok = got is not None and got != "" and int(got) == db_value and not (isinstance(got, float))
    elif isinstance(db_value, float):
        ok = got is not None and got != "" and float(got) == db_value
    else:
        ok = got == db_value
    if not ok:
        fail("%s: database has %r, export has %r" % (where, db_value, got))


RESOURCES = ("lut", "ff", "bram36", "uram", "dsp")


def as_synthesised(col, v):
    """A resource as synthesis counts it: whole cells, BRAM36 in halves."""
    if col not in RESOURCES or not isinstance(v, float):
        return v
    if col == "bram36":
        return math.floor(2 * v + 0.5) / 2
    return float(math.floor(v + 0.5))


def check_roundtrip(db, run, path, what, fmt):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    cur = con.execute(QUERIES[what], (run,))
    cols = [c[0] for c in cur.description]
    rows = cur.fetchall()
    sha = con.execute("SELECT config_sha256 FROM runs WHERE run_id=?", (run,)).fetchone()[0]
    con.close()
    if not rows:
        fail("the fixture has no %s rows: nothing to compare" % what)
    res = [as_synthesised(c, v) != v for row in rows for c, v in zip(cols, row)]
    if what != "metrics" and not any(res):
        fail("the fixture's resources are all whole: the export's rounding goes untested")
    if fmt == "csv":
        with open(path, newline="", encoding="utf-8") as f:
            got = list(csv.reader(f))
        if got[0] != cols:
            fail("csv header %s, view columns %s" % (got[0], cols))
        body = got[1:]
        if len(body) != len(rows):
            fail("csv has %d rows, the view %d" % (len(body), len(rows)))
        for i, (want, have) in enumerate(zip(rows, body)):
            for c, a, b in zip(cols, want, have):
                if isinstance(a, int) and b != "":
                    b = int(b) if b.lstrip("-").isdigit() else b
                same_value(as_synthesised(c, a), b, "row %d column %s" % (i, c))
    else:
        doc = json.load(open(path, encoding="utf-8"))
        if doc.get("what") != what or doc.get("columns") != cols:
            fail("json what/columns: %r %r" % (doc.get("what"), doc.get("columns")))
        if doc.get("run", {}).get("run_id") != int(run) or doc["run"].get("config_sha256") != sha:
            fail("json run header %r" % doc.get("run"))
        body = doc.get("rows", [])
        if len(body) != len(rows):
            fail("json has %d rows, the view %d" % (len(body), len(rows)))
        for i, (want, have) in enumerate(zip(rows, body)):
            if list(have.keys()) != cols:
                fail("json row %d keys %s" % (i, list(have.keys())))
            for c, a in zip(cols, want):
                same_value(as_synthesised(c, a), have.get(c), "row %d column %s" % (i, c))


def main(argv):
    if len(argv) >= 4 and argv[1] == "report":
        check_report(argv[2], argv[3], int(argv[4]), argv[5:])
    elif len(argv) == 4 and argv[1] == "same":
        check_same(argv[2], argv[3])
    elif len(argv) == 7 and argv[1] == "roundtrip":
        check_roundtrip(argv[2], int(argv[3]), argv[4], argv[5], argv[6])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for f in failures:
        print("report_check: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
