/*
 * floorplan.c - site ranges on the clock-region grid: parse, check, snap,
 * count, place (see floorplan.h for the rules and where they come from).
 */
#include "models/floorplan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cfg_site_names[SITE_N] = {"SLICE", "DSP48E2", "RAMB18", "RAMB36", "URAM288"};

static int bad_text(char *err, size_t errlen, const char *s)
{
	snprintf(err, errlen,
		 "'%s' is not a site range TYPE_X<col>Y<row>:TYPE_X<col>Y<row> (TYPE one of SLICE, DSP48E2, RAMB18, "
		 "RAMB36, URAM288)",
		 s);
	return -1;
}

/* "TYPE_X<x>Y<y>" at s (length n): 0 with type, x, y; -1 when it is not one. */
static int parse_site(const char *s, size_t n, cfg_site *type, int *x, int *y)
{
	for (int t = 0; t < SITE_N; t++) {
		size_t k = strlen(cfg_site_names[t]);
		if (n > k + 1 && strncmp(s, cfg_site_names[t], k) == 0 && s[k] == '_') {
			const char *p = s + k + 1, *end = s + n;
			long v[2];
			for (int i = 0; i < 2; i++) {
				if (p >= end || *p != (i ? 'Y' : 'X'))
					return -1;
				p++;
				if (p >= end || *p < '0' || *p > '9' || (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9'))
					return -1;
				long a = 0;
				while (p < end && *p >= '0' && *p <= '9') {
					a = a * 10 + (*p - '0');
					if (a > 1000000)
						return -1;
					p++;
				}
				v[i] = a;
			}
			if (p != end)
				return -1;
			*type = (cfg_site)t;
			*x = (int)v[0];
			*y = (int)v[1];
			return 0;
		}
	}
	return -1;
}

int floorplan_parse_range(const char *s, cfg_range *r, char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');
	size_t n1 = colon ? (size_t)(colon - s) : strlen(s);
	cfg_site t1, t2;
	int x1, y1, x2, y2;
	if (parse_site(s, n1, &t1, &x1, &y1))
		return bad_text(err, errlen, s);
	if (!colon) {
		t2 = t1;
		x2 = x1;
		y2 = y1;
	} else if (parse_site(colon + 1, strlen(colon + 1), &t2, &x2, &y2)) {
		return bad_text(err, errlen, s);
	}
	if (t1 != t2) {
		snprintf(err, errlen, "'%s' mixes two site types", s);
		return -1;
	}
	if (x1 > x2 || y1 > y2) {
		snprintf(err, errlen, "'%s' must name its lower-left site first (X and Y ascending)", s);
		return -1;
	}
	r->type = t1;
	r->x0 = x1;
	r->y0 = y1;
	r->x1 = x2;
	r->y1 = y2;
	return 0;
}

void floorplan_format_range(const cfg_range *r, char *out, size_t outsz)
{
	const char *t = cfg_site_names[r->type];
	snprintf(out, outsz, "%s_X%dY%d:%s_X%dY%d", t, r->x0, r->y0, t, r->x1, r->y1);
}

int floorplan_check_range(const cfg_grid *g, const cfg_range *r, char *err, size_t errlen)
{
	char b[96];
	floorplan_format_range(r, b, sizeof b);
	cfg_site t = r->type == SITE_RAMB18 ? SITE_RAMB36 : r->type;
	if (g->n_x[t] == 0) {
		snprintf(err, errlen, "'%s': the grid has no %s columns", b, cfg_site_names[r->type]);
		return -1;
	}
	long ny = (long)g->rows * g->per_row[r->type];
	if (r->x1 >= g->n_x[t]) {
		snprintf(err, errlen, "'%s' goes beyond the grid's %d %s columns (X0..X%d)", b, g->n_x[t],
			 cfg_site_names[r->type], g->n_x[t] - 1);
		return -1;
	}
	if (r->y1 >= ny) {
		snprintf(err, errlen, "'%s' goes beyond the grid's %ld %s sites up a column (Y0..Y%ld)", b, ny,
			 cfg_site_names[r->type], ny - 1);
		return -1;
	}
	return 0;
}

cfg_range floorplan_snap(const cfg_grid *g, cfg_range r)
{
	if (r.type == SITE_URAM)
		return r;
	int h = g->per_row[r.type];
	r.y0 = r.y0 / h * h;
	r.y1 = (r.y1 / h + 1) * h - 1;
	return r;
}

bool floorplan_on_rows(const cfg_grid *g, const cfg_range *r)
{
	int h = g->per_row[r->type];
	return h > 0 && r->y0 % h == 0 && (r->y1 + 1) % h == 0;
}

int floorplan_region_row(const cfg_grid *g, cfg_site t, int y)
{
	return g->per_row[t] > 0 ? y / g->per_row[t] : -1;
}

int floorplan_region_col(const cfg_grid *g, cfg_site t, int x)
{
	/* RAMB18 columns are the RAMB36 columns */
	cfg_site u = t == SITE_RAMB18 ? SITE_RAMB36 : t;
	for (int c = 0; c < g->cols; c++)
		if (g->x0[c][u] <= g->x1[c][u] && x >= g->x0[c][u] && x <= g->x1[c][u])
			return c;
	return -1;
}

/* Column segments (column x region row) of a snapped range. */
static long segments(const cfg_grid *g, const cfg_range *r)
{
	int h = g->per_row[r->type];
	long rows = r->y1 / h - r->y0 / h + 1;
	return (long)(r->x1 - r->x0 + 1) * rows;
}

static bool overlap(const cfg_range *a, const cfg_range *b)
{
	return a->type == b->type && a->x0 <= b->x1 && b->x0 <= a->x1 && a->y0 <= b->y1 && b->y0 <= a->y1;
}

static bool same(const cfg_range *a, const cfg_range *b)
{
	return a->type == b->type && a->x0 == b->x0 && a->x1 == b->x1 && a->y0 == b->y0 && a->y1 == b->y1;
}

/* Count pb->range into the tile counts. */
static void count(const cfg_grid *g, cfg_pblock *pb)
{
	pb->clb_tiles = pb->dsp_tiles = pb->bram_tiles = pb->uram_sites = pb->uram_rows = 0;
	for (int i = 0; i < pb->n_ranges; i++) {
		const cfg_range *r = &pb->range[i];
		switch (r->type) {
		case SITE_SLICE: pb->clb_tiles += (int)segments(g, r); break;
		case SITE_DSP: pb->dsp_tiles += (int)segments(g, r); break;
		case SITE_RAMB36: pb->bram_tiles += (int)segments(g, r); break;
		case SITE_URAM:
			pb->uram_sites += (r->x1 - r->x0 + 1) * (r->y1 - r->y0 + 1);
			pb->uram_rows += (int)segments(g, r);
			break;
		default: BUG("a RAMB18 range left after normalising");
		}
	}
}

int floorplan_derive(const cfg_device *dev, cfg_pblock *pb, char *err, size_t errlen)
{
	const cfg_grid *g = &dev->grid;
	char b1[96], b2[96];
	int n = 0;
	for (int i = 0; i < pb->n_ranges; i++) {
		char e[256];
		if (floorplan_check_range(g, &pb->given[i], e, sizeof e)) {
			snprintf(err, errlen, "range %d: %s", i, e);
			return -1;
		}
		cfg_range r = floorplan_snap(g, pb->given[i]);
		if (r.type == SITE_RAMB18) { /* the same segments in RAMB36 sites */
			r.type = SITE_RAMB36;
			r.y0 /= 2;
			r.y1 = (r.y1 + 1) / 2 - 1;
		}
		bool dup = false;
		for (int j = 0; j < n; j++) {
			if (same(&pb->range[j], &r)) {
				dup = true; /* RAMB18 and RAMB36 ranges of the same segments */
				break;
			}
			if (overlap(&pb->range[j], &r)) {
				floorplan_format_range(&pb->given[i], b1, sizeof b1);
				floorplan_format_range(&pb->range[j], b2, sizeof b2);
				snprintf(err, errlen,
					 "range %d '%s' overlaps '%s' once both are snapped to whole clock-region rows", i,
					 b1, b2);
				return -1;
			}
		}
		if (!dup)
			pb->range[n++] = r;
	}
	pb->n_ranges = n;
	count(g, pb);
	if (pb->clb_tiles == 0) {
		snprintf(err, errlen, "pblock '%s' has no SLICE range", pb->name);
		return -1;
	}
	return 0;
}

/* The ranges of n segments of type t in a band of h rows from the top:
 * floor(n/h) full columns and one of n mod h rows, from the highest X.
 * Returns the ranges added, or -1 when the type has too few columns. */
static int place_type(const cfg_grid *g, cfg_site t, int n, int h, cfg_range *out)
{
	if (n == 0)
		return 0;
	int full = n / h, part = n % h, cols = full + (part > 0);
	if (cols > g->n_x[t])
		return -1;
	int ph = g->per_row[t], top = g->rows * ph - 1, k = 0;
	int xr = g->n_x[t] - 1;
	if (full) {
		out[k++] = (cfg_range){t, xr - full + 1, (g->rows - h) * ph, xr, top};
		xr -= full;
	}
	if (part)
		out[k++] = (cfg_range){t, xr, (g->rows - part) * ph, xr, top};
	return k;
}

int floorplan_place(const cfg_device *dev, cfg_pblock *pb, char *err, size_t errlen)
{
	const cfg_grid *g = &dev->grid;
	for (int h = 1; h <= g->rows; h++) {
		cfg_range rr[CFG_MAX_RANGES];
		int k = 0, a;
		if ((a = place_type(g, SITE_SLICE, pb->clb_tiles, h, rr + k)) < 0)
			continue;
		k += a;
		if ((a = place_type(g, SITE_DSP, pb->dsp_tiles, h, rr + k)) < 0)
			continue;
		k += a;
		if ((a = place_type(g, SITE_RAMB36, pb->bram_tiles, h, rr + k)) < 0)
			continue;
		k += a;
		if (pb->uram_sites) {
			int per_col = h * g->per_row[SITE_URAM], u = pb->uram_sites;
			int cols = (u + per_col - 1) / per_col;
			if (cols > g->n_x[SITE_URAM] || k + cols > CFG_MAX_RANGES)
				continue;
			int top = g->rows * g->per_row[SITE_URAM] - 1;
			for (int c = 0; c < cols; c++) {
				int take = u > per_col ? per_col : u;
				int x = g->n_x[SITE_URAM] - 1 - c;
				rr[k++] = (cfg_range){SITE_URAM, x, top - take + 1, x, top};
				u -= take;
			}
		}
		int want_clb = pb->clb_tiles, want_dsp = pb->dsp_tiles, want_bram = pb->bram_tiles,
		    want_uram = pb->uram_sites;
		memcpy(pb->given, rr, (size_t)k * sizeof rr[0]);
		memcpy(pb->range, rr, (size_t)k * sizeof rr[0]);
		pb->n_ranges = k;
		count(g, pb);
		if (pb->clb_tiles != want_clb || pb->dsp_tiles != want_dsp || pb->bram_tiles != want_bram ||
		    pb->uram_sites != want_uram)
			BUG("pblock '%s' placed with other counts", pb->name);
		return 0;
	}
	snprintf(err, errlen,
		 "pblock '%s' (%d CLB, %d DSP, %d BRAM tiles, %d URAM sites) does not fit on the grid of %d x %d clock "
		 "regions",
		 pb->name, pb->clb_tiles, pb->dsp_tiles, pb->bram_tiles, pb->uram_sites, g->cols, g->rows);
	return -1;
}

long floorplan_sites(const cfg_grid *g, const cfg_pblock *pb, cfg_site t)
{
	long n = 0;
	for (int i = 0; i < pb->n_ranges; i++) {
		const cfg_range *r = &pb->range[i];
		cfg_site rt = r->type;
		if (rt == t || (t == SITE_RAMB18 && rt == SITE_RAMB36)) {
			long sites = (long)(r->x1 - r->x0 + 1) * (r->y1 - r->y0 + 1);
			n += t == SITE_RAMB18 ? 2 * sites : sites;
		}
	}
	(void)g;
	return n;
}

void floorplan_regions(const cfg_grid *g, const cfg_pblock *pb, int *c0, int *r0, int *c1, int *r1)
{
	*c0 = *r0 = 1 << 30;
	*c1 = *r1 = -1;
	for (int i = 0; i < pb->n_ranges; i++) {
		const cfg_range *r = &pb->range[i];
		int a = floorplan_region_col(g, r->type, r->x0), b = floorplan_region_col(g, r->type, r->x1);
		int y0 = floorplan_region_row(g, r->type, r->y0), y1 = floorplan_region_row(g, r->type, r->y1);
		if (a < *c0)
			*c0 = a;
		if (b > *c1)
			*c1 = b;
		if (y0 < *r0)
			*r0 = y0;
		if (y1 > *r1)
			*r1 = y1;
	}
}
