/*
 * utilrpt.c - a Vivado report_utilization text report into a hwreport (see
 * utilrpt.h).
 *
 * The text is cut into lines once (a CR before the LF, as in reports
 * written on Windows, is dropped).  One pass then reads the header block
 * and every table.  A table is the header row, then any number of rows
 * ('|' lines) and separators ('+' lines), and ends at the first other line
 * (blank, a footnote, the next section's title).  Cells are the text
 * between two '|'; a row must end with '|' and have as many cells as its
 * header, so a table cut short or with a stray '|' is refused at its line
 * instead of being read into the wrong columns.
 *
 * Indentation: Vivado pads every first cell with one space and indents a
 * breakdown row by two more per level ("|   LUT as Logic |"), so a row
 * whose name starts after the first space is a breakdown; in the
 * hierarchical table the same indentation gives the instance's depth.
 */
#include "import/utilrpt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/common.h"

#define MAX_CELLS 32

typedef struct {
	const char *s;
	size_t n;
} span;

typedef struct {
	const char *name;
	char *err;
	size_t errlen;
	span *lines;
	size_t n_lines;
	hwreport *r;
	bool seen[HWR_N]; /* a site row already read for this column */
	int first_site;   /* line of the first site table header, 0 if none */
	bool hier;        /* a hierarchical table was read */
	const char *command;
	size_t command_n;
} ux;

__attribute__((format(printf, 3, 4))) static int fail(ux *c, size_t line, const char *fmt, ...)
{
	int k = snprintf(c->err, c->errlen, "%s:%zu: ", c->name, line ? line : 1);
	if (k >= 0 && (size_t)k < c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return PDS_FAIL;
}

static int oom(ux *c)
{
	snprintf(c->err, c->errlen, "%s: out of memory", c->name);
	return PDS_FAIL;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static span trim(span x)
{
	while (x.n && blank(*x.s))
		x.s++, x.n--;
	while (x.n && blank(x.s[x.n - 1]))
		x.n--;
	return x;
}

static bool eq(span x, const char *lit)
{
	return x.n == strlen(lit) && memcmp(x.s, lit, x.n) == 0;
}

static int split_lines(ux *c, const char *buf, size_t len)
{
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\n';
	c->lines = malloc(n * sizeof *c->lines);
	if (!c->lines)
		return oom(c);
	size_t start = 0;
	/* a final newline ends the last line; it does not start another */
	size_t end = len && buf[len - 1] == '\n' ? len - 1 : len;
	for (size_t i = 0; i <= end; i++) {
		if (i < end && buf[i] != '\n')
			continue;
		span l = {buf + start, i - start};
		if (l.n && l.s[l.n - 1] == '\r')
			l.n--;
		c->lines[c->n_lines++] = l;
		start = i + 1;
	}
	return 0;
}

/*
 * The cells of a '|' line (untrimmed), at most MAX_CELLS; *closed is
 * whether the line ends with '|' (blanks after it allowed).  Returns the
 * number of cells.
 */
static int cells_of(span l, span *cells, bool *closed)
{
	int n = 0;
	size_t i = 1, start = 1;
	*closed = false;
	for (; i <= l.n; i++) {
		if (i < l.n && l.s[i] != '|')
			continue;
		if (i == l.n) {
			span rest = trim((span){l.s + start, l.n - start});
			if (rest.n == 0)
				*closed = true;
			else if (n < MAX_CELLS)
				cells[n++] = (span){l.s + start, l.n - start};
			break;
		}
		if (n < MAX_CELLS)
			cells[n++] = (span){l.s + start, i - start};
		start = i + 1;
	}
	return n;
}

/* Leading blanks of a raw cell. */
static size_t indent(span x)
{
	size_t k = 0;
	while (k < x.n && blank(x.s[k]))
		k++;
	return k;
}

/* A row name: trimmed, Vivado's trailing '*' footnote mark dropped. */
static span row_name(span x)
{
	x = trim(x);
	while (x.n && x.s[x.n - 1] == '*')
		x.n--;
	return trim(x);
}

static int col_of(const span *hdr, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (eq(trim(hdr[i]), name))
			return i;
	return -1;
}

/* Cell `col` of a row as a figure: an empty cell is not given; other text
 * than a number fails naming the row and column. */
static int figure(ux *c, size_t line, span row, const span *hdr, const span *cells, int col, bool required,
		  hwreport_val *v)
{
	if (col < 0)
		return 0;
	span x = trim(cells[col]);
	if (x.n == 0 && !required)
		return 0;
	double d;
	if (hwreport_number(x.s, x.n, &d)) {
		span h = trim(hdr[col]);
		return fail(c, line, "'%.*s' has %.*s '%.*s', expected a number", (int)row.n, row.s, (int)h.n, h.s,
			    (int)x.n, x.s);
	}
	*v = (hwreport_val){true, d};
	return 0;
}

/* The resource column a top-level site row is about, or -1. */
static int site_col(span name)
{
	static const struct {
		const char *row;
		int col;
	} map[] = {{"CLB LUTs", HWR_LUT},      {"Slice LUTs", HWR_LUT},         {"CLB Registers", HWR_FF},
		   {"Slice Registers", HWR_FF}, {"Block RAM Tile", HWR_BRAM36}, {"URAM", HWR_URAM},
		   {"DSPs", HWR_DSP}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (eq(name, map[i].row))
			return map[i].col;
	return -1;
}

/* Read rows after header line h; returns the index of the first line after
 * the table, or -1 after the message.  row_fn reads one row. */
typedef int (*row_fn)(ux *c, size_t line, const span *hdr, int nh, const span *cells, void *arg);

static long table(ux *c, size_t h, const span *hdr, int nh, row_fn fn, void *arg)
{
	size_t j = h + 1;
	for (; j < c->n_lines; j++) {
		span l = c->lines[j];
		if (l.n && l.s[0] == '+')
			continue;
		if (!l.n || l.s[0] != '|')
			break;
		span cells[MAX_CELLS];
		bool closed;
		int n = cells_of(l, cells, &closed);
		if (!closed)
			return fail(c, j + 1, "a table row not closed by '|' (the table's header is at line %zu)",
				    h + 1);
		if (n != nh)
			return fail(c, j + 1, "a table row of %d cells under a header of %d (line %zu)", n, nh, h + 1);
		if (fn(c, j + 1, hdr, nh, cells, arg))
			return -1;
	}
	return (long)j;
}

typedef struct {
	int used, avail, parent, child, non_assigned;
} site_cols;

static int site_row(ux *c, size_t line, const span *hdr, int nh, const span *cells, void *arg)
{
	(void)nh;
	const site_cols *k = arg;
	if (indent(cells[0]) > 1)
		return 0;
	span name = row_name(cells[0]);
	int col = site_col(name);
	if (col < 0 || c->seen[col])
		return 0;
	c->seen[col] = true;
	hwreport *r = c->r;
	if (figure(c, line, name, hdr, cells, k->used, true, &r->res.r[col]) ||
	    figure(c, line, name, hdr, cells, k->avail, false, &r->avail.r[col]))
		return PDS_FAIL;
	if (k->parent < 0)
		return 0;
	hwreport_pblock *p = &r->pblocks[0];
	if (figure(c, line, name, hdr, cells, k->parent, false, &p->parent.r[col]) ||
	    figure(c, line, name, hdr, cells, k->child, false, &p->child.r[col]) ||
	    figure(c, line, name, hdr, cells, k->non_assigned, false, &p->non_assigned.r[col]))
		return PDS_FAIL;
	return 0;
}

/* The pblock a -pblocks Command names: "-pblocks NAME", "-pblocks {NAME}"
 * or "-pblocks [get_pblocks NAME]". */
static int pblock_name(ux *c, char **dst)
{
	const char *s = c->command, *e = s + c->command_n;
	span tok[64];
	int nt = 0;
	while (s < e && nt < 64) {
		while (s < e && blank(*s))
			s++;
		const char *b = s;
		while (s < e && !blank(*s))
			s++;
		if (s > b)
			tok[nt++] = (span){b, (size_t)(s - b)};
	}
	for (int i = 0; i + 1 < nt; i++) {
		if (!eq(tok[i], "-pblocks") && !eq(tok[i], "-pblock"))
			continue;
		int k = i + 1;
		if (tok[k].s[0] == '[') /* [get_pblocks ...]: the first word that is no option */
			for (k++; k < nt && tok[k].s[0] == '-'; k++)
				;
		if (k >= nt)
			return 0;
		span t = tok[k];
		while (t.n && (t.s[0] == '{' || t.s[0] == '"'))
			t.s++, t.n--;
		while (t.n && (t.s[t.n - 1] == ']' || t.s[t.n - 1] == '}' || t.s[t.n - 1] == '"'))
			t.n--;
		if (t.n && hwreport_set_str(dst, t.s, t.n))
			return oom(c);
		return 0;
	}
	return 0;
}

static int site_table(ux *c, size_t h, const span *hdr, int nh, long *next)
{
	site_cols k = {col_of(hdr, nh, "Used"), col_of(hdr, nh, "Available"), col_of(hdr, nh, "Parent"),
		       col_of(hdr, nh, "Child"), col_of(hdr, nh, "Non-Assigned")};
	if (k.used < 0)
		return fail(c, h + 1, "a '| Site Type |' table header without a 'Used' column");
	if (!c->first_site)
		c->first_site = (int)h + 1;
	if (k.parent >= 0 && !c->r->has_pblocks) {
		hwreport_pblock *p = hwreport_add_pblock(c->r);
		if (!p)
			return oom(c);
		if (c->command && pblock_name(c, &p->name))
			return PDS_FAIL;
	}
	if (k.parent < 0 && c->r->has_pblocks)
		return fail(c, h + 1, "a table without the 'Parent' column in a -pblocks report");
	*next = table(c, h, hdr, nh, site_row, &k);
	return *next < 0 ? PDS_FAIL : 0;
}

typedef struct {
	int lut, ff, ramb36, ramb18, uram, dsp;
} hier_cols;

static int hier_row(ux *c, size_t line, const span *hdr, int nh, const span *cells, void *arg)
{
	(void)nh;
	const hier_cols *k = arg;
	hwreport_instance *h = hwreport_add_instance(c->r);
	if (!h)
		return oom(c);
	span name = trim(cells[0]), mod = trim(cells[1]);
	size_t ind = indent(cells[0]);
	h->depth = ind > 1 ? (int)((ind - 1) / 2) : 0;
	if (hwreport_set_str(&h->name, name.s, name.n) || hwreport_set_str(&h->module, mod.s, mod.n))
		return oom(c);
	hwreport_val b36 = {0}, b18 = {0};
	if (figure(c, line, name, hdr, cells, k->lut, true, &h->res.r[HWR_LUT]) ||
	    figure(c, line, name, hdr, cells, k->ff, true, &h->res.r[HWR_FF]) ||
	    figure(c, line, name, hdr, cells, k->ramb36, true, &b36) ||
	    figure(c, line, name, hdr, cells, k->ramb18, true, &b18) ||
	    figure(c, line, name, hdr, cells, k->uram, true, &h->res.r[HWR_URAM]) ||
	    figure(c, line, name, hdr, cells, k->dsp, true, &h->res.r[HWR_DSP]))
		return PDS_FAIL;
	if (b36.set && b18.set)
		h->res.r[HWR_BRAM36] = (hwreport_val){true, b36.v + b18.v / 2};
	if (c->r->n_instances == 1)
		c->r->res = h->res;
	return 0;
}

static int hier_table(ux *c, size_t h, const span *hdr, int nh, long *next)
{
	if (c->hier)
		return fail(c, h + 1, "a second 'Instance | Module' table");
	c->hier = true;
	hier_cols k = {col_of(hdr, nh, "Total LUTs"), col_of(hdr, nh, "FFs"),  col_of(hdr, nh, "RAMB36"),
		       col_of(hdr, nh, "RAMB18"),     col_of(hdr, nh, "URAM"), col_of(hdr, nh, "DSP48 Blocks")};
	if (k.dsp < 0)
		k.dsp = col_of(hdr, nh, "DSP Blocks");
	if (k.lut < 0 || k.ff < 0)
		return fail(c, h + 1, "an 'Instance | Module' table header without 'Total LUTs' and 'FFs' columns");
	c->r->has_instances = true;
	*next = table(c, h, hdr, nh, hier_row, &k);
	return *next < 0 ? PDS_FAIL : 0;
}

/* "| KEY : VALUE" of the header block. */
static int header_line(ux *c, size_t i)
{
	span l = c->lines[i];
	const char *colon = memchr(l.s, ':', l.n);
	if (!colon)
		return 0;
	span key = trim((span){l.s + 1, (size_t)(colon - l.s - 1)});
	span val = trim((span){colon + 1, l.n - (size_t)(colon + 1 - l.s)});
	hwreport *r = c->r;
	if (eq(key, "Tool Version") && !r->tool_version) {
		if (val.n < 6 || memcmp(val.s, "Vivado", 6) != 0)
			return fail(c, i + 1, "'Tool Version' is '%.*s', not Vivado", (int)val.n, val.s);
		const char *v = NULL;
		for (size_t k = 0; k + 2 < val.n; k++)
			if (val.s[k] == 'v' && val.s[k + 1] == '.' && val.s[k + 2] >= '0' && val.s[k + 2] <= '9') {
				v = val.s + k + 2;
				break;
			}
		span ver = val;
		if (v) {
			ver.s = v;
			ver.n = 0;
			while (v + ver.n < val.s + val.n && !blank(v[ver.n]))
				ver.n++;
		}
		if (hwreport_set_str(&r->tool_version, ver.s, ver.n))
			return oom(c);
	} else if (eq(key, "Device") && !r->part) {
		if (!val.n)
			return fail(c, i + 1, "'Device' is empty");
		if (hwreport_set_str(&r->part, val.s, val.n))
			return oom(c);
		r->part_line = (int)i + 1;
	} else if (eq(key, "Design") && !r->top && val.n) {
		if (hwreport_set_str(&r->top, val.s, val.n))
			return oom(c);
		r->top_line = (int)i + 1;
	} else if (eq(key, "Design State") && !r->design_state && val.n) {
		if (hwreport_set_str(&r->design_state, val.s, val.n))
			return oom(c);
	} else if (eq(key, "Command") && !c->command) {
		span cmd = val;
		size_t w = 0;
		while (w < cmd.n && !blank(cmd.s[w]))
			w++;
		if (!eq((span){cmd.s, w}, "report_utilization"))
			return fail(c, i + 1, "a report of '%.*s', not of 'report_utilization'", (int)w, cmd.s);
		c->command = val.s;
		c->command_n = val.n;
	}
	return 0;
}

static int read_lines(ux *c)
{
	bool in_header = true;
	for (size_t i = 0; i < c->n_lines; i++) {
		span l = c->lines[i];
		if (!l.n || l.s[0] != '|')
			continue;
		span cells[MAX_CELLS];
		bool closed;
		int n = cells_of(l, cells, &closed);
		span first = n ? trim(cells[0]) : (span){"", 0};
		bool site = eq(first, "Site Type");
		bool hier = n >= 2 && eq(first, "Instance") && eq(trim(cells[1]), "Module");
		if (!site && !hier) {
			if (in_header && header_line(c, i))
				return PDS_FAIL;
			continue;
		}
		in_header = false;
		if (!closed)
			return fail(c, i + 1, "a table header not closed by '|'");
		long next = 0;
		if ((site ? site_table(c, i, cells, n, &next) : hier_table(c, i, cells, n, &next)))
			return PDS_FAIL;
		i = (size_t)next - 1;
	}
	return 0;
}

int utilrpt_parse(const char *name, const char *buf, size_t len, hwreport *r, char *err, size_t errlen)
{
	ux c = {.name = name, .err = err, .errlen = errlen, .r = r};
	r->kind = HWREPORT_UTILIZATION;
	if (hwreport_set_str(&r->file, name, strlen(name)))
		return oom(&c);
	if (len == 0)
		return fail(&c, 1, "empty file, expected a Vivado report_utilization report");
	if (split_lines(&c, buf, len))
		return PDS_FAIL;
	int rc = read_lines(&c);
	if (rc == 0) {
		if (!r->tool_version)
			rc = fail(&c, 1, "no '| Tool Version :' header line: not a Vivado report_utilization report");
		else if (!r->part)
			rc = fail(&c, 1, "no '| Device :' header line naming the part");
		else if (!c.first_site && !c.hier)
			rc = fail(&c, c.n_lines, "no '| Site Type |' or '| Instance | Module |' table");
		else if (!c.hier && !r->res.r[HWR_LUT].set)
			rc = fail(&c, (size_t)c.first_site,
				  "no 'CLB LUTs' or 'Slice LUTs' row in the '| Site Type |' tables");
	}
	free(c.lines);
	return rc;
}
