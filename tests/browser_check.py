#!/usr/bin/env python3
"""browser_check.py - a pdswap report rendered by a real browser.

  browser_check.py page DIR [MIN_FIGURES]
      Copies the report DIR into a scratch directory beside it with one
      probe script added at the end of index.html, and opens it in headless
      Chromium (Debian package `chromium`) three times:
        --dump-dom     after the page and its images have loaded, the probe
                       writes into the DOM, for every <img>, whether it
                       loaded and its natural size, and for every <svg>
                       element its size; each must have loaded with a size
                       > 0, and there must be at least MIN_FIGURES (default
                       1) figures;
        --screenshot   of the unmodified page: the PNG is decoded (every
                       filter type, zlib over the IDAT chunks) and must not
                       be blank: its luminance varies (standard deviation
                       over all pixels above 8 of 255), it has more than 64
                       distinct colours, and more than 2% of its pixels are
                       not background;
        logging        with --enable-logging=stderr --v=0 on the
                       unmodified page: no console message at level error
                       or warning (a resource that does not load, a script
                       error) may be logged.
  browser_check.py png FILE
      The blank-screenshot check alone, on FILE (0: not blank).
  browser_check.py console FILE
      The console check alone, on the page FILE (0: no console message).

Chromium runs as root here (CI): --no-sandbox is required for that, not a
way around a failure.  A browser that cannot start is a failure (exit 1),
never a skip.  Exits 0 when every check passes, 1 with the failures listed.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--hide-scrollbars", "--mute-audio", "--disable-dev-shm-usage",
         "--allow-file-access-from-files"]
TIMEOUT_S = 120
failures = []


def fail(msg):
    failures.append(msg)


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def run(args, profile):
    """Run the browser with a fresh profile; (exit code, stdout, stderr)."""
    exe = browser()
    if not exe:
        fail("no chromium on PATH: install the Debian package chromium (make deps does)")
        return None
    cmd = [exe] + FLAGS + ["--user-data-dir=" + profile] + args
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT_S,
                           env=dict(os.environ, HOME=profile))
    except subprocess.TimeoutExpired:
        fail("chromium did not finish in %d s: %s" % (TIMEOUT_S, " ".join(cmd)))
        return None
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


# ------------------------------------------------------------------ PNG

def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def png_pixels(path):
    """Decode an 8-bit non-interlaced PNG: (width, height, channels, rows of bytes)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError("bad CRC in chunk %r" % kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    if not ihdr:
        raise ValueError("no IHDR")
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or interlace or ctype not in (0, 2, 4, 6):
        raise ValueError("PNG of depth %d, colour type %d, interlace %d not expected" % (depth, ctype, interlace))
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    stride = w * ch
    raw = zlib.decompress(idat)
    if len(raw) != h * (stride + 1):
        raise ValueError("decoded %d bytes, want %d rows of %d" % (len(raw), h, stride + 1))
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        cur = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ft == 1:
            for i in range(ch, stride):
                cur[i] = (cur[i] + cur[i - ch]) & 255
        elif ft == 2:
            for i in range(stride):
                cur[i] = (cur[i] + prev[i]) & 255
        elif ft == 3:
            for i in range(stride):
                left = cur[i - ch] if i >= ch else 0
                cur[i] = (cur[i] + ((left + prev[i]) >> 1)) & 255
        elif ft == 4:
            for i in range(stride):
                left = cur[i - ch] if i >= ch else 0
                upleft = prev[i - ch] if i >= ch else 0
                cur[i] = (cur[i] + paeth(left, prev[i], upleft)) & 255
        elif ft != 0:
            raise ValueError("row %d has filter type %d" % (y, ft))
        rows.append(bytes(cur))
        prev = cur
    return w, h, ch, rows


def blank_reasons(path):
    """Why the screenshot at path looks blank ([] when it does not)."""
    try:
        w, h, ch, rows = png_pixels(path)
    except (OSError, ValueError, zlib.error) as e:
        return ["%s: not a PNG that decodes: %s" % (path, e)]
    n = s = s2 = 0
    colours, hist = set(), {}
    for r in rows:
        for x in range(0, w * ch, ch):
            px = r[x:x + ch]
            rgb = px[:3] if ch >= 3 else px[:1] * 3
            lum = (299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2]) // 1000
            n += 1
            s += lum
            s2 += lum * lum
            key = bytes(rgb)
            hist[key] = hist.get(key, 0) + 1
            if len(colours) <= 64:
                colours.add(key)
    mean = s / n
    sd = max(0.0, s2 / n - mean * mean) ** 0.5
    background = max(hist.values())
    out = []
    if sd <= 8:
        out.append("%s: the luminance hardly varies (standard deviation %.2f of 255)" % (path, sd))
    if len(colours) <= 64:
        out.append("%s: only %d distinct colours" % (path, len(colours)))
    if n - background <= 0.02 * n:
        out.append("%s: %.2f%% of the pixels differ from the background" % (path, 100.0 * (n - background) / n))
    return out


# ----------------------------------------------------------------- page

PROBE = """<script>
window.addEventListener('load', function () {
  var out = [];
  var imgs = document.getElementsByTagName('img');
  for (var i = 0; i < imgs.length; i++) {
    var im = imgs[i];
    out.push('img ' + im.getAttribute('src') + ' ' + (im.complete ? 1 : 0) + ' ' + im.naturalWidth + ' ' +
             im.naturalHeight);
  }
  var svgs = document.getElementsByTagName('svg');
  for (var j = 0; j < svgs.length; j++) {
    var r = svgs[j].getBoundingClientRect();
    out.push('svg inline ' + 1 + ' ' + Math.round(r.width) + ' ' + Math.round(r.height));
  }
  var pre = document.createElement('pre');
  pre.id = 'pdswap-probe';
  pre.textContent = 'PROBE-BEGIN\\n' + out.join('\\n') + '\\nPROBE-END';
  document.body.appendChild(pre);
});
</script>
"""

# chromium logs every console message (console.error, an uncaught exception,
# a refused resource) as "LEVEL:CONSOLE:LINE] message"; the report has no
# script, so any such line is an error
CONSOLE = re.compile(r":CONSOLE[:(]|Uncaught |Failed to load resource")


def check_page(d, min_figures):
    d = os.path.abspath(d)
    index = os.path.join(d, "index.html")
    if not os.path.isfile(index):
        fail("%s: no index.html" % d)
        return
    work = tempfile.mkdtemp(prefix="browser_check-", dir=os.path.dirname(d))
    try:
        copy = os.path.join(work, "report")
        shutil.copytree(d, copy)
        html = open(os.path.join(copy, "index.html"), encoding="utf-8").read()
        if "</body>" not in html:
            fail("index.html has no </body>")
            return
        open(os.path.join(copy, "probe.html"), "w", encoding="utf-8").write(html.replace("</body>", PROBE + "</body>"))
        profile = os.path.join(work, "profile")
        os.mkdir(profile)
        url = "file://" + os.path.join(copy, "probe.html")
        r = run(["--virtual-time-budget=10000", "--dump-dom", url], profile)
        if r is None:
            return
        rc, out, err = r
        if rc != 0:
            fail("chromium --dump-dom exited %d: %s" % (rc, err[-600:]))
        m = re.search(r"PROBE-BEGIN\n(.*?)\nPROBE-END", out, re.S)
        if not m:
            fail("the page's load event never ran the probe (no PROBE lines in the DOM chromium dumped;"
                 " %d bytes of DOM)" % len(out))
        else:
            figures = 0
            for line in m.group(1).splitlines():
                parts = line.split()
                if len(parts) != 5:
                    continue
                kind, src, done, w, h = parts[0], parts[1], parts[2], int(parts[3]), int(parts[4])
                if done != "1" or w <= 0 or h <= 0:
                    fail("%s %s did not load in the browser (complete %s, size %dx%d)" % (kind, src, done, w, h))
                else:
                    figures += 1
            if figures < min_figures:
                fail("the browser shows %d figures, want at least %d" % (figures, min_figures))
        # the unmodified page: its console, then a screenshot
        page = "file://" + os.path.join(copy, "index.html")
        r = run(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", page], profile)
        if r is None:
            return
        rc, out, err = r
        if rc != 0:
            fail("chromium (logging) exited %d" % rc)
        for line in err.splitlines():
            if CONSOLE.search(line):
                fail("console: %s" % line.strip()[:300])
        if "<h1>" not in out:
            fail("the DOM chromium loaded has no heading: the page did not render")
        shot = os.path.join(work, "screenshot.png")
        r = run(["--window-size=1280,2400", "--virtual-time-budget=10000", "--screenshot=" + shot, page], profile)
        if r is None:
            return
        if r[0] != 0 or not os.path.isfile(shot):
            fail("chromium wrote no screenshot (exit %d): %s" % (r[0], r[2][-600:]))
            return
        for why in blank_reasons(shot):
            fail("the screenshot is blank: " + why)
        keep = os.environ.get("BROWSER_CHECK_KEEP")
        if keep:
            shutil.copy(shot, keep)
        if not failures:
            w, h, _, _ = png_pixels(shot)
            print("browser_check: %s: %d figures loaded, no console message, screenshot %dx%d not blank"
                  % (d, figures if m else 0, w, h))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "console":
        # the console check alone, on a page that is not a report
        profile = tempfile.mkdtemp(prefix="browser_check-")
        try:
            r = run(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom",
                     "file://" + os.path.abspath(sys.argv[2])], profile)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        if r is not None:
            for line in r[2].splitlines():
                if CONSOLE.search(line):
                    fail("console: %s" % line.strip()[:300])
    elif len(sys.argv) >= 3 and sys.argv[1] == "page":
        check_page(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    elif len(sys.argv) == 3 and sys.argv[1] == "png":
        for why in blank_reasons(sys.argv[2]):
            fail(why)
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for f in failures:
        print("browser_check: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
