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
  report_check.py facts DIR DB RUN
      what the page of a sweep's run says, against the database read with
      plain SQL and the run's stored config: the header's space, feasible
      count, what each constraint pruned (the chunks summed here) and what
      was stored; the published PD-Swap design's datablock and label in
      pareto.gp at its stored figures; the designs followed (chosen,
      published, best static, baseline) with the DES figures as stored and
      the objective worked out from them; the binding constraint of the
      chosen design worked out from its stored regions and the config's
      limits; the fronts' groups worked out from the stored figures; the
      Table 2 validation rows with the config's source; the stored energy
      curves drawn in energy.gp.
  report_check.py knobs DIR DB RUN
      the page's knob table of a run that stored every point (--all-points)
      against a brute force over v_points: per knob value the feasible
      count and the least objective, per knob the spread and the inert mark.
  report_check.py same DIR1 DIR2
      both trees hold the same files with the same bytes.
  report_check.py roundtrip DB RUN FILE points|metrics|pareto csv|json
      the exported file holds exactly the rows and values of the view.

Exits 0 when every check passes, 1 with the failures listed otherwise.
"""
import csv
import filecmp
import html
import html.parser
import json
import math
import os
import re
import sqlite3
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

import yaml

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


# ------------------------------------------- the page against the database

def strip_tags(h):
    return html.unescape(re.sub(r"<[^>]*>", "", h)).strip()


def cells(row):
    return [strip_tags(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def num(text):
    """A number as the page prints it, or None for a dash."""
    t = text.replace("\u2013", "").strip()
    return float(t) if t else None


def near(a, b, rel):
    return a is not None and b is not None and abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def table(page, tid):
    m = re.search(r"<table id=%s>(.*?)</table>" % re.escape(tid), page, re.S)
    if not m:
        fail("index.html has no table %s" % tid)
        return ""
    return m.group(1)


def des_at(con, run, pid, length, col):
    r = con.execute("SELECT %s FROM v_metrics WHERE run_id=? AND point_id=? AND source='des' AND length=?" % col,
                    (run, pid, length)).fetchone()
    return r[0] if r else None


def check_facts(d, db, run):
    """What the page says of the run, against the database (plain SQL) and its config."""
    page = open(os.path.join(d, "index.html"), encoding="utf-8").read()
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    cfg = yaml.safe_load(con.execute("SELECT config_text FROM runs WHERE run_id=?", (run,)).fetchone()[0])
    obj, cons, dev = cfg["objective"], cfg["constraints"], cfg["device"]["resources"]
    meas = cfg.get("measurements", {})

    # 1. the header: the space, what each constraint pruned, what was stored (the chunks summed here)
    tot = con.execute("SELECT sum(n_points), sum(n_feasible), sum(n_over_cap), sum(n_too_slow), sum(n_no_fit)"
                      " FROM chunks WHERE run_id=?", (run,)).fetchone()
    space = con.execute("SELECT n_space FROM sweeps WHERE run_id=?", (run,)).fetchone()[0]
    if tot[0] != space:
        fail("the run's chunks hold %s points, its space %s" % (tot[0], space))
    for key, want in zip(("h-space", "h-feasible", "h-over-cap", "h-too-slow", "h-no-fit"), tot):
        m = re.search(r"id=%s>(.*?)</(td|span)>" % key, page, re.S)
        got = re.match(r"\s*(\d+)", strip_tags(m.group(1))) if m else None
        if not got or int(got.group(1)) != want:
            fail("header %s says %r, the chunks sum to %d" % (key, m and strip_tags(m.group(1))[:80], want))
    stored = strip_tags(re.search(r"id=h-stored>(.*?)</td>", page, re.S).group(1))
    fronts = dict(con.execute("SELECT p.mode, count(*) FROM v_pareto f JOIN v_points p USING(run_id, point_id)"
                              " WHERE f.run_id=? GROUP BY p.mode", (run,)).fetchall())
    distinct = dict(con.execute("SELECT p.mode, count(*) FROM (SELECT DISTINCT representative FROM groups"
                                " WHERE run_id=?) g JOIN points p ON p.run_id=? AND p.point_id=g.representative"
                                " GROUP BY p.mode", (run, run)).fetchall())
    names = [r[0] for r in con.execute("SELECT design_name FROM points WHERE run_id=? AND design_name IS NOT NULL"
                                      " ORDER BY point_id", (run,))]
    n_all = con.execute("SELECT count(*) FROM points WHERE run_id=?", (run,)).fetchone()[0]
    all_points = con.execute("SELECT all_points FROM sweeps WHERE run_id=?", (run,)).fetchone()[0]
    held = "every point of the space (%d:" % (n_all - len(names)) if all_points else \
        "the Pareto fronts: %d dpr + %d static points" % (fronts.get("dpr", 0), fronts.get("static", 0))
    for want in (held, "(the fronts hold %d + %d distinct designs" % (distinct.get("dpr", 0), distinct.get("static", 0))):
        if want not in stored:
            fail("header 'stored': %r lacks %r" % (stored, want))
    if "%d named designs of the config (%s)" % (len(names), ", ".join(names)) not in stored:
        fail("header 'stored': %r does not name the %d named designs" % (stored, len(names)))
    if not stored.endswith("%d points in all." % n_all):
        fail("header 'stored': %r, the run stored %d points" % (stored, n_all))

    # 2. the published design in the Pareto figure's data, with its label
    pub = meas.get("dpr_design")
    pid = con.execute("SELECT point_id FROM points WHERE run_id=? AND design_name=?", (run, pub)).fetchone()[0]
    ana = dict(con.execute("SELECT length, ttft_s FROM v_metrics WHERE run_id=? AND point_id=? AND source='analytic'"
                           " AND ttft_s IS NOT NULL", (run, pid)).fetchall())
    tok = dict(con.execute("SELECT length, decode_tok_s FROM v_metrics WHERE run_id=? AND point_id=? AND"
                           " source='analytic' AND decode_tok_s IS NOT NULL", (run, pid)).fetchall())
    a = obj["alpha"]
    rate = 1 / (a / tok[obj["l_long"]] + (1 - a) / tok[obj["l_short"]])
    gp = open(os.path.join(d, "fig", "pareto.gp"), encoding="utf-8").read()
    m = re.search(r"\$published << EOD\n#[^\n]*\n(\S+) (\S+) (\d+) \"([^\"]*)\"\nEOD", gp)
    if not m:
        fail("pareto.gp has no $published block")
    else:
        if not (near(float(m.group(1)), ana[obj["prompt"]], 1e-8) and near(float(m.group(2)), rate, 1e-8)
                and int(m.group(3)) == pid and m.group(4) == pub):
            fail("pareto.gp: $published is %r, the run stored %s at (%r, %r)" % (m.groups(), pub,
                                                                                ana[obj["prompt"]], rate))
        if not re.search(r'set label \d+ "%s" at %s, %s' % (re.escape(pub), re.escape(m.group(1)),
                                                           re.escape(m.group(2))), gp):
            fail("pareto.gp: the published design is not labelled at its point")

    # 3. the designs followed: the DES figures as stored, the four designs
    chosen = con.execute("SELECT point_id FROM v_chosen WHERE run_id=?", (run,)).fetchone()[0]
    best_static = con.execute("SELECT point_id FROM v_best WHERE run_id=? AND mode='static'", (run,)).fetchone()[0]
    base = con.execute("SELECT point_id FROM points WHERE run_id=? AND design_name=?",
                       (run, meas.get("fit_design"))).fetchone()[0]
    rows = dict(re.findall(r'<tr data-point="(\d+)">(.*?)</tr>', table(page, "followed"), re.S))
    for want_id in (chosen, pid, best_static, base):
        if str(want_id) not in rows:
            fail("designs followed: no row of point %d" % want_id)
            continue
        c = cells(rows[str(want_id)])
        wants = [des_at(con, run, want_id, obj["prompt"], "ttft_s"), des_at(con, run, want_id, obj["l_short"], "decode_tok_s"),
                 des_at(con, run, want_id, obj["l_long"], "decode_tok_s"),
                 des_at(con, run, want_id, obj["l_short"], "energy_j_per_token"),
                 des_at(con, run, want_id, obj["l_long"], "energy_j_per_token")]
        step = [des_at(con, run, want_id, obj["l_long"], "decode_step_s"), des_at(con, run, want_id, obj["l_short"], "decode_step_s")]
        wants.append(wants[0] + a * step[0] + (1 - a) * step[1])
        for i, w in enumerate(wants):  # role, design, parameters, then the DES figures
            if not near(num(c[3 + i]), w, 6e-4):
                fail("designs followed, point %d, column %d: %r, the DES stored %r" % (want_id, 3 + i, c[3 + i], w))
    best_obj = con.execute("SELECT objective FROM v_best WHERE run_id=? AND mode='static'", (run,)).fetchone()[0]
    if not near(num(cells(rows[str(best_static)])[8]), best_obj, 6e-4):
        fail("designs followed: the best static objective is not v_best's %r" % best_obj)

    # 4. what binds the chosen design: every constraint worked out here, the nearest first
    reg = {r[0]: r[1:] for r in con.execute("SELECT region, lut, ff, bram36, uram, dsp FROM v_regions WHERE"
                                             " run_id=? AND point_id=?", (run, chosen))}
    cap = [cons["utilisation_cap"][k] for k in RESOURCES]
    devv = [dev[k] for k in RESOURCES]
    ratios = []
    for t, k in enumerate(RESOURCES):
        ratios.append((reg["total"][t] / (cap[t] * devv[t]), "the whole design", k))
        if "pblock" in reg:
            need = max(reg["prefill_rm"][t], reg["decode_rm"][t])
            usable = reg["pblock"][t] * (cons["rp_routability_margin"] if k in ("lut", "ff") else 1)
            ratios.append((need / usable, "RM in pblock", k))
            ratios.append((reg["static"][t] / (cap[t] * (devv[t] - reg["pblock"][t])), "static region outside", k))
    ratios.append((des_at(con, run, chosen, obj["prompt"], "ttft_s") / cons["t_pre_max_s"], "TTFT", "ttft"))
    ratios.sort(key=lambda r: -r[0])
    m = re.search(r"<tr class=bind>(.*?)</tr>", table(page, "bindtable"), re.S)
    if not m:
        fail("what binds: no binding row")
    else:
        c = cells(m.group(1))
        r, where, k = ratios[0]
        label = {"lut": "LUT", "ff": "FF", "bram36": "BRAM36", "uram": "URAM", "dsp": "DSP", "ttft": "TTFT"}[k]
        if c[0] != "binds" or not c[1].startswith(label) or where not in c[1] or c[4] != "%.1f%%" % (100 * r):
            fail("what binds: %r, worked out here: %s %s at %.1f%%" % (c, label, where, 100 * r))
        # how well the model knows it: every validation row of that figure and region, with its error
        if k == "ttft":
            q = "figure = 'ttft_s'"
        elif where == "the whole design":
            q = "figure = '%s' AND part IS NOT NULL" % k
        elif where == "static region outside":
            q = "figure = '%s' AND part IN ('tlmm', 'design')" % k
        else:
            q = "figure = '%s' AND part = '%s'" % (k, "prefill_rm" if "prefill" in c[1] else "decode_rm")
        want = sorted((n, "%+.1f%%" % (100 * e)) for n, e in con.execute(
            "SELECT name, rel_err FROM v_validation WHERE run_id=? AND %s" % q, (run,)))
        m = re.search(r"<h3>How well the model knows it: [^<]*</h3>\n<ul class=small>(.*?)</ul>", page, re.S)
        got = sorted(re.findall(r"<li>([^:<]+): measured [^,]+, model [^,]+, <b>([^<]+)</b>", m.group(1))) if m else []
        if not want or got != want:
            fail("what binds: the rows it rests on %r, v_validation has %r" % (got, want))

    # 5. the fronts as distinct designs: each representative's group as v_groups has it
    groups = dict(con.execute("SELECT representative, n_points FROM v_groups WHERE run_id=?", (run,)).fetchall())
    shown = re.findall(r'<tr data-rep="(\d+)" data-n="(\d+)">', table(page, "groups_table"))
    if not shown:
        fail("the fronts as distinct designs: no rows")
    for rep, n in shown:
        if groups.get(int(rep)) != int(n):
            fail("distinct design %s stands for %s points, v_groups says %r" % (rep, n, groups.get(int(rep))))
    # ... and the groups themselves, from the stored figures: front points equal in every objective and resource
    prompts = sorted(set(cfg["workload"]["prompts"]) | {obj["prompt"]})
    key = {}
    for (p, mode, *res) in con.execute("SELECT p.point_id, p.mode, p.lut, p.ff, p.bram36, p.uram, p.dsp FROM"
                                       " v_pareto f JOIN v_points p USING(run_id, point_id) WHERE f.run_id=?", (run,)):
        m_ = dict(((L, src), (t, st, e)) for L, src, t, st, e in con.execute(
            "SELECT length, source, ttft_s, decode_step_s, energy_j_per_token FROM v_metrics WHERE run_id=? AND"
            " point_id=? AND source='analytic'", (run, p)))
        k_ = (mode, tuple(res), tuple(m_[(L, "analytic")][0] for L in prompts),
              tuple(m_[(L, "analytic")][1:] for L in (obj["l_short"], obj["l_long"])))
        key.setdefault(k_, []).append(p)
    mine = sorted((min(v), len(v)) for v in key.values())
    if mine != sorted(groups.items()):
        fail("the front's groups worked out here (%d) differ from v_groups (%d)" % (len(mine), len(groups)))

    # 6. the validation rows of Table 2 carry the config's source, on the page too
    src = meas["table2"]["source"]
    vt = table(page, "validation_rows")
    for name, source in con.execute("SELECT name, source FROM v_validation WHERE run_id=? AND part IN"
                                    " ('tlmm','prefill_rm','decode_rm')", (run,)):
        if source != src:
            fail("v_validation %s: source %r, the config's Table 2 %r" % (name, source, src))
        m = re.search(r"<tr><td>%s</td>(.*?)</tr>" % re.escape(html.escape(name, quote=False)), vt, re.S)
        if not m or src not in html.unescape(m.group(1)):
            fail("validation table: the row %s does not show its source %r" % (name, src))

    # 7. energy per token against context: the stored curves of the followed designs, as drawn
    gp = open(os.path.join(d, "fig", "energy.gp"), encoding="utf-8").read()
    blocks = dict(re.findall(r"\$(model\d) << EOD\n(.*?)EOD", gp, re.S))
    for p in (chosen, pid, best_static, base):
        curve = con.execute("SELECT length, value FROM v_curves WHERE run_id=? AND point_id=? AND"
                            " metric='energy_j_per_token' ORDER BY length", (run, p)).fetchall()
        if len(curve) < 8:
            fail("point %d: %d energy curve samples stored" % (p, len(curve)))
            continue
        drawn = [[(int(x.split()[0]), float(x.split()[1])) for x in b.strip().splitlines()] for b in blocks.values()]
        if not any(len(b) == len(curve) and all(L == l2 and near(v, v2, 1e-8) for (L, v), (l2, v2) in zip(curve, b))
                   for b in drawn):
            fail("energy.gp draws no line of point %d's stored energy curve" % p)
    con.close()


KNOB_COLUMN = {"clock_mhz": "clock_mhz", "outstanding": "pre_outstanding", "port_maps_prefill": "pm_prefill",
               "port_maps_decode": "pm_decode", "tlmm_tables": "tlmm_tables", "tlmm_lanes": "tlmm_lanes",
               "prefill_pe": "pre_pe", "prefill_lanes": "pre_lanes", "prefill_block": "pre_block",
               "pblocks": "pblock", "decode_lanes": "dec_lanes", "kv_precision": "kv_precision",
               "kv_window": "kv_window", "kv_sinks": "kv_sinks", "kv_tier_region": "kv_tier_region"}


def check_knobs(d, db, run):
    """The knob table of a run that stored every point, against a brute force over v_points."""
    page = open(os.path.join(d, "index.html"), encoding="utf-8").read()
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    if con.execute("SELECT all_points FROM sweeps WHERE run_id=?", (run,)).fetchone()[0] != 1:
        fail("run %d did not store every point: no brute force possible" % run)
        return
    space = con.execute("SELECT n_space FROM sweeps WHERE run_id=?", (run,)).fetchone()[0]
    swept = con.execute("SELECT count(*) FROM points WHERE run_id=? AND design_name IS NULL", (run,)).fetchone()[0]
    if swept != space:
        fail("run %d stored %d of its %d points" % (run, swept, space))
    rows = re.findall(r'<tr data-mode="(\w+)" data-knob="(\w+)">(.*?)</tr>', table(page, "knobs_table"), re.S)
    if not rows:
        fail("no knob rows on the page")
    n_checked = 0
    for mode, knob, body in rows:
        label = None
        if knob == "rm_sets":
            # the innermost knob of the dpr points (ids from 0): its value is the id's last digit
            label = dict(con.execute("SELECT value_index, value FROM v_knobs WHERE run_id=? AND mode=? AND knob=?",
                                     (run, mode, knob)).fetchall())
            col = "(point_id %% %d)" % len(label)
        else:
            col = KNOB_COLUMN[knob]
        best = {}
        for v, n, o in con.execute("SELECT %s, count(*), min(objective) FROM points WHERE run_id=? AND mode=? AND"
                                   " design_name IS NULL AND feasible=1 GROUP BY %s" % (col, col), (run, mode)):
            best[label[v] if label else str(v)] = (n, o)
        values = len(set(r[0] for r in con.execute("SELECT DISTINCT %s FROM points WHERE run_id=? AND mode=? AND"
                                                   " design_name IS NULL" % col, (run, mode))))
        stored = {v: (n, o) for v, n, o in con.execute("SELECT value, n_feasible, best_objective FROM v_knobs WHERE"
                                                       " run_id=? AND mode=? AND knob=?", (run, mode, knob))}
        if set(stored) != set(best) or any(stored[v][0] != best[v][0] or not near(stored[v][1], best[v][1], 1e-12)
                                           for v in best):
            fail("v_knobs %s %s: %r, brute force over v_points: %r" % (mode, knob, stored, best))
        c = cells(body)
        if c[3] != "%d of %d" % (len(best), values):
            fail("knob %s %s: '%s' values with a feasible point, brute force %d of %d" % (mode, knob, c[3], len(best), values))
        if not best:
            continue
        spread = max(o for _, o in best.values()) - min(o for _, o in best.values())
        m = re.search(r'data-spread="([^"]+)"', body)
        if not m or not near(float(m.group(1)), spread, 1e-8) and abs(float(m.group(1)) - spread) > 1e-12:
            fail("knob %s %s: spread %r, brute force %r" % (mode, knob, m and m.group(1), spread))
        inert = spread <= 1e-3 * min(o for _, o in best.values())
        if inert != ("inert" in c[-1]) and values > 1:
            fail("knob %s %s: marked %r, the spread %.3g of %.6g s says inert=%s" % (mode, knob, c[-1], spread,
                                                                                  min(o for _, o in best.values()), inert))
        n_checked += 1
    if n_checked < 10:
        fail("only %d knob rows checked" % n_checked)
    print("report_check: %d knob rows equal a brute force over %d points" % (n_checked, space))
    con.close()


def main(argv):
    if len(argv) >= 4 and argv[1] == "report":
        check_report(argv[2], argv[3], int(argv[4]), argv[5:])
    elif len(argv) == 5 and argv[1] == "facts":
        check_facts(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 5 and argv[1] == "knobs":
        check_knobs(argv[2], argv[3], int(argv[4]))
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
