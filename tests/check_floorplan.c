/*
 * check_floorplan.c - the clock-region grid and pblocks as site ranges
 * (models/floorplan.h, the loader of dse/config).
 *
 * The expected tile counts are counted by hand from the range text of
 * configs/kv260.yaml (columns x clock-region rows, 60 SLICE / 24 DSP48E2 /
 * 12 RAMB36 sites a row); snapping, overlaps, placement and refusals are
 * checked against rules worked out here, and placement against a brute
 * count of the sites it names.
 */
#include <stdlib.h>
#include <string.h>

#include "models/engine.h"
#include "models/floorplan.h"
#include "suites.h"
#include "testutil.h"

static const cfg_pblock *pblock(const cfg_t *c, const char *name)
{
	int i = cfg_find_pblock(c, name);
	ck_assert_msg(i >= 0, "no pblock %s", name);
	return &c->arch.pblocks[i];
}

/* The KV260 grid and the three pblocks' derived counts, by hand. */
START_TEST(shipped_grid_and_pblocks)
{
	cfg_t c;
	tu_load_default(&c);
	const cfg_grid *g = &c.dev.grid;
	ck_assert(g->present);
	ck_assert_int_eq(g->rows, 4);
	ck_assert_int_eq(g->cols, 3);
	ck_assert_int_eq(g->n_x[SITE_SLICE], 61);
	ck_assert_int_eq(g->n_x[SITE_DSP], 13);
	ck_assert_int_eq(g->n_x[SITE_RAMB36], 3);
	ck_assert_int_eq(g->n_x[SITE_RAMB18], 3);
	ck_assert_int_eq(g->n_x[SITE_URAM], 1);
	/* the device's totals from the grid: 61 x 240 slices of 8 LUTs, 13 x 96 DSPs, 3 x 48 RAMB36, 64 URAM */
	ck_assert_double_eq(61.0 * 4 * 60 * 8, c.dev.resources.v[RES_LUT]);
	ck_assert_double_eq(13.0 * 4 * 24, c.dev.resources.v[RES_DSP]);
	ck_assert_double_eq(3.0 * 4 * 12, c.dev.resources.v[RES_BRAM]);
	ck_assert_double_eq(1.0 * 4 * 16, c.dev.resources.v[RES_URAM]);
	/* rp_m: SLICE_X40..X56 x Y0..Y239 = 17 columns x 4 rows, SLICE_X57 x Y0..Y119 = 1 x 2;
	 * DSP48E2_X10..X12 x 4 rows; RAMB36_X1..X2 x 4 rows; URAM288_X0Y0..Y11, 12 sites in row 0 */
	const cfg_pblock *m = pblock(&c, "rp_m");
	ck_assert(m->from_ranges);
	ck_assert_int_eq(m->clb_tiles, 17 * 4 + 1 * 2);
	ck_assert_int_eq(m->dsp_tiles, 3 * 4);
	ck_assert_int_eq(m->bram_tiles, 2 * 4);
	ck_assert_int_eq(m->uram_sites, 12);
	ck_assert_int_eq(m->uram_rows, 1);
	/* rp_s: 18 x 3 + 1 x 2; 3 x 3 + 1 x 1; 2 x 3; 8 sites */
	const cfg_pblock *s = pblock(&c, "rp_s");
	ck_assert_int_eq(s->clb_tiles, 18 * 3 + 2);
	ck_assert_int_eq(s->dsp_tiles, 3 * 3 + 1);
	ck_assert_int_eq(s->bram_tiles, 2 * 3);
	ck_assert_int_eq(s->uram_sites, 8);
	/* rp_l: 21 x 4; 4 x 4; 2 x 4; 12 */
	const cfg_pblock *l = pblock(&c, "rp_l");
	ck_assert_int_eq(l->clb_tiles, 21 * 4);
	ck_assert_int_eq(l->dsp_tiles, 4 * 4);
	ck_assert_int_eq(l->bram_tiles, 2 * 4);
	ck_assert_int_eq(l->uram_sites, 12);
	/* every stored range lies on the grid and, but URAM288, on whole rows */
	for (int i = 0; i < c.arch.n_pblocks; i++) {
		const cfg_pblock *p = &c.arch.pblocks[i];
		for (int k = 0; k < p->n_ranges; k++) {
			char e[256];
			ck_assert_msg(floorplan_check_range(g, &p->range[k], e, sizeof e) == 0, "%s", e);
			if (p->range[k].type != SITE_URAM)
				ck_assert(floorplan_on_rows(g, &p->range[k]));
		}
	}
	/* sites of rp_m: 70 x 60 slices, 12 x 24 DSPs, 8 x 12 RAMB36 = 8 x 24 RAMB18 */
	ck_assert_int_eq(floorplan_sites(g, m, SITE_SLICE), 70 * 60);
	ck_assert_int_eq(floorplan_sites(g, m, SITE_DSP), 12 * 24);
	ck_assert_int_eq(floorplan_sites(g, m, SITE_RAMB36), 8 * 12);
	ck_assert_int_eq(floorplan_sites(g, m, SITE_RAMB18), 8 * 24);
	ck_assert_int_eq(floorplan_sites(g, m, SITE_URAM), 12);
	int c0, r0, c1, r1;
	floorplan_regions(g, m, &c0, &r0, &c1, &r1);
	ck_assert_int_eq(c0, 1); /* SLICE_X40 and URAM288_X0 are in X1 */
	ck_assert_int_eq(c1, 2);
	ck_assert_int_eq(r0, 0);
	ck_assert_int_eq(r1, 3);
	cfg_release(&c);
}
END_TEST

START_TEST(parse_and_format)
{
	cfg_range r;
	char e[256], b[96];
	ck_assert_int_eq(floorplan_parse_range("DSP48E2_X3Y24:DSP48E2_X5Y71", &r, e, sizeof e), 0);
	ck_assert(r.type == SITE_DSP && r.x0 == 3 && r.y0 == 24 && r.x1 == 5 && r.y1 == 71);
	floorplan_format_range(&r, b, sizeof b);
	ck_assert_str_eq(b, "DSP48E2_X3Y24:DSP48E2_X5Y71");
	ck_assert_int_eq(floorplan_parse_range("URAM288_X0Y7", &r, e, sizeof e), 0);
	ck_assert(r.type == SITE_URAM && r.x0 == 0 && r.x1 == 0 && r.y0 == 7 && r.y1 == 7);
	static const char *const bad[] = {"SLICE_X1Y2:DSP48E2_X1Y2", "SLICE_X5Y0:SLICE_X4Y10", "SLICE_X1Y20:SLICE_X1Y10",
					  "SLICE_X01Y0", "SLICEX1Y0", "LUT_X1Y1", "SLICE_X1Y1:", "SLICE_X1Y1 ",
					  "SLICE_X-1Y0", "SLICE_XY0", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(floorplan_parse_range(bad[i], &r, e, sizeof e) == -1, "'%s' read", bad[i]);
}
END_TEST

/* Snapping widens Y to whole rows and leaves URAM; the counts follow. */
START_TEST(snapping)
{
	cfg_t c;
	tu_load_default(&c);
	const cfg_grid *g = &c.dev.grid;
	cfg_range r = {SITE_SLICE, 0, 10, 1, 70}, s = floorplan_snap(g, r);
	ck_assert(s.y0 == 0 && s.y1 == 119 && s.x0 == 0 && s.x1 == 1);
	ck_assert(!floorplan_on_rows(g, &r) && floorplan_on_rows(g, &s));
	r = (cfg_range){SITE_RAMB18, 2, 23, 2, 24};
	s = floorplan_snap(g, r);
	ck_assert(s.y0 == 0 && s.y1 == 47);
	r = (cfg_range){SITE_URAM, 0, 5, 0, 20};
	s = floorplan_snap(g, r);
	ck_assert(s.y0 == 5 && s.y1 == 20);

	/* a pblock of ragged ranges: tiles of the snapped ranges; the RAMB18
	 * range names the segments of the RAMB36 range, counted once; the URAM
	 * range straddles rows 0 and 1: two segments' frames */
	cfg_pblock pb = {.name = "p"};
	const char *const txt[] = {"SLICE_X0Y10:SLICE_X1Y70", "DSP48E2_X0Y30:DSP48E2_X0Y30", "RAMB36_X2Y0:RAMB36_X2Y11",
				   "RAMB18_X2Y0:RAMB18_X2Y23", "URAM288_X0Y10:URAM288_X0Y21"};
	char e[256];
	for (int i = 0; i < 5; i++)
		ck_assert(floorplan_parse_range(txt[i], &pb.given[i], e, sizeof e) == 0);
	pb.n_ranges = 5;
	ck_assert_msg(floorplan_derive(&c.dev, &pb, e, sizeof e) == 0, "%s", e);
	ck_assert_int_eq(pb.clb_tiles, 2 * 2);
	ck_assert_int_eq(pb.dsp_tiles, 1);
	ck_assert_int_eq(pb.bram_tiles, 1);
	ck_assert_int_eq(pb.uram_sites, 12);
	ck_assert_int_eq(pb.uram_rows, 2);
	ck_assert_int_eq(pb.n_ranges, 4); /* the RAMB18 twin merged */
	/* the frames: 4 CLB, 1 DSP, 1 BRAM tiles, 2 URAM segments, ceil(8/2) = 4 interconnect */
	const struct cfg_fabric *f = &c.dev.fabric;
	ck_assert_int_eq(engine_pblock_frames(&c, &pb), 4 * f->frames_clb + f->frames_dsp + f->frames_bram_config +
								 f->frames_bram_content + 2 * f->frames_uram +
								 4 * f->frames_int);

	/* overlap once snapped: Y0..Y59 and Y59..Y60 both touch row 0 */
	cfg_pblock ov = {.name = "o"};
	ck_assert(floorplan_parse_range("SLICE_X0Y0:SLICE_X0Y10", &ov.given[0], e, sizeof e) == 0);
	ck_assert(floorplan_parse_range("SLICE_X0Y50:SLICE_X0Y60", &ov.given[1], e, sizeof e) == 0);
	ov.n_ranges = 2;
	ck_assert_int_eq(floorplan_derive(&c.dev, &ov, e, sizeof e), -1);
	ck_assert_msg(strstr(e, "overlaps") != NULL, "%s", e);
	/* beyond the grid */
	cfg_pblock far = {.name = "f"};
	ck_assert(floorplan_parse_range("SLICE_X0Y0:SLICE_X61Y0", &far.given[0], e, sizeof e) == 0);
	far.n_ranges = 1;
	ck_assert_int_eq(floorplan_derive(&c.dev, &far, e, sizeof e), -1);
	ck_assert_msg(strstr(e, "beyond the grid's 61 SLICE columns") != NULL, "%s", e);
	cfg_release(&c);
}
END_TEST

/* Count the column segments of each type a pblock's ranges name, site by site. */
static void brute_counts(const cfg_grid *g, const cfg_pblock *pb, int n[SITE_N], int *uram_sites)
{
	memset(n, 0, SITE_N * sizeof n[0]);
	*uram_sites = 0;
	for (int t = 0; t < SITE_N; t++)
		for (int x = 0; x < g->n_x[t]; x++)
			for (int row = 0; row < g->rows; row++) {
				bool hit = false;
				for (int y = row * g->per_row[t]; y < (row + 1) * g->per_row[t]; y++)
					for (int k = 0; k < pb->n_ranges; k++) {
						const cfg_range *r = &pb->range[k];
						if ((int)r->type == t && x >= r->x0 && x <= r->x1 && y >= r->y0 && y <= r->y1) {
							hit = true;
							if (t == SITE_URAM)
								(*uram_sites)++;
						}
					}
				n[t] += hit;
			}
}

/* Pblocks of tile counts on the grid cover exactly their counts. */
START_TEST(placement_of_counts)
{
	cfg_t c;
	tu_load_default(&c);
	const cfg_grid *g = &c.dev.grid;
	const int cases[][4] = {{70, 12, 8, 12}, {1, 0, 0, 0}, {244, 52, 12, 64}, {61, 13, 3, 16},
				{62, 1, 1, 17}, {5, 7, 11, 3}, {120, 26, 6, 33}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg_pblock pb = {.name = "p", .clb_tiles = cases[i][0], .dsp_tiles = cases[i][1],
				 .bram_tiles = cases[i][2], .uram_sites = cases[i][3]};
		char e[256];
		ck_assert_msg(floorplan_place(&c.dev, &pb, e, sizeof e) == 0, "case %zu: %s", i, e);
		ck_assert_int_eq(pb.clb_tiles, cases[i][0]);
		int n[SITE_N], us;
		brute_counts(g, &pb, n, &us);
		ck_assert_int_eq(n[SITE_SLICE], cases[i][0]);
		ck_assert_int_eq(n[SITE_DSP], cases[i][1]);
		ck_assert_int_eq(n[SITE_RAMB36], cases[i][2]);
		ck_assert_int_eq(us, cases[i][3]);
		ck_assert_int_eq(pb.uram_rows, n[SITE_URAM]);
		for (int k = 0; k < pb.n_ranges; k++) {
			ck_assert(floorplan_check_range(g, &pb.range[k], e, sizeof e) == 0);
			if (pb.range[k].type != SITE_URAM)
				ck_assert(floorplan_on_rows(g, &pb.range[k]));
		}
		/* the placed ranges read back as site ranges give the same counts */
		cfg_pblock back = {.name = "b", .n_ranges = pb.n_ranges};
		memcpy(back.given, pb.given, sizeof pb.given);
		ck_assert(floorplan_derive(&c.dev, &back, e, sizeof e) == 0);
		ck_assert(back.clb_tiles == pb.clb_tiles && back.dsp_tiles == pb.dsp_tiles &&
			  back.bram_tiles == pb.bram_tiles && back.uram_sites == pb.uram_sites &&
			  back.uram_rows == pb.uram_rows);
	}
	/* more than the device */
	cfg_pblock big = {.name = "big", .clb_tiles = 10, .dsp_tiles = 53};
	char e[256];
	ck_assert_int_eq(floorplan_place(&c.dev, &big, e, sizeof e), -1);
	ck_assert_msg(strstr(e, "does not fit on the grid of 3 x 4 clock regions") != NULL, "%s", e);
	cfg_release(&c);
}
END_TEST

/* The config's refusals, each at its place: the first occurrence of mark
 * in the edited text, or of the text around its '|', at the '|'. */
static void refused(const char *from, const char *to, const char *mark, const char *needle)
{
	char *t = tu_edit(from, to);
	cfg_t c;
	char err[1024], mk[128];
	ck_assert_msg(config_load_buffer(&c, "g.yaml", t, strlen(t), err, sizeof err) == -1, "'%s' loaded", to);
	const char *bar = strchr(mark, '|');
	size_t skip = bar ? (size_t)(bar - mark) : 0;
	snprintf(mk, sizeof mk, "%.*s%s", (int)skip, mark, bar ? bar + 1 : mark + skip);
	const char *m = strstr(t, mk);
	ck_assert_msg(m != NULL, "mark '%s'", mk);
	m += skip;
	int line = 1, col = 1;
	for (const char *p = t; p < m; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)*p & 0xc0) != 0x80) {
			col++;
		}
	}
	char pos[64];
	snprintf(pos, sizeof pos, "g.yaml:%d:%d: ", line, col);
	ck_assert_msg(strncmp(err, pos, strlen(pos)) == 0, "'%s' is not at %s", err, pos);
	ck_assert_msg(strstr(err, needle) != NULL, "'%s' lacks '%s'", err, needle);
	free(t);
}

START_TEST(config_refusals)
{
	refused("RAMB36_X1Y0:RAMB36_X2Y35", "RAMB36_X1Y0:RAMB36_X3Y35", "RAMB36_X1Y0:RAMB36_X3",
		"beyond the grid's 3 RAMB36 columns");
	refused("SLICE_X40Y0:SLICE_X56Y239", "SLICE_X40Y0:DSP48E2_X56Y239", "SLICE_X40Y0:DSP", "mixes two site types");
	refused("SLICE_X40Y0:SLICE_X56Y239", "SLICE_X40Y0:SLICE_X56Y240", "SLICE_X40Y0:SLICE_X56Y240",
		"beyond the grid's 240 SLICE sites");
	refused("SLICE_X57Y0:SLICE_X57Y119", "SLICE_X56Y0:SLICE_X57Y119", "[SLICE_X40Y0:SLICE_X56Y239",
		"overlaps");
	refused("    - name: rp_m\n      sites:", "    - name: rp_m\n      clb_tiles: 3\n      sites:", "clb_tiles",
		"gives both 'sites' and 'clb_tiles'");
	refused("      - {SLICE: [21, 40], DSP48E2: [5, 10]", "      - {SLICE: [22, 40], DSP48E2: [5, 10]", "22",
		"must start at site column 21");
	refused("    rows: 4\n", "    rows: 3\n", "- {SLICE: [0, 20]", "'device.fabric.tiles.clb' is 244");
	refused("URAM288: 16}", "URAM288: 8}", "{SLICE: 60", "'device.fabric.per_column.uram' is 16");
	refused("RAMB18: 24,", "RAMB18: 12,", "RAMB18: |12,", "must be twice 'RAMB36'");
}
END_TEST

/* Without a grid, site ranges are refused and tile counts load as they are. */
START_TEST(no_grid)
{
	cfg_t c;
	char err[1024];
	ck_assert_msg(config_load(&c, "configs/zcu104.yaml", err, sizeof err) == 0, "%s", err);
	ck_assert(!c.dev.grid.present);
	for (int i = 0; i < c.arch.n_pblocks; i++)
		ck_assert_int_eq(c.arch.pblocks[i].n_ranges, 0);
	cfg_release(&c);
	char *b = tu_read(KV260, NULL);
	char *g = strstr(b, "  clock_regions:");
	char *e = strstr(b, "model:");
	ck_assert(g && e && g < e);
	memmove(g, e, strlen(e) + 1); /* the grid cut out */
	ck_assert(config_load_buffer(&c, "g.yaml", b, strlen(b), err, sizeof err) == -1);
	ck_assert_msg(strstr(err, "'architecture.pblocks[0].sites' needs the device's clock-region grid") != NULL, "%s",
		      err);
	free(b);
}
END_TEST

Suite *floorplan_suite(void)
{
	Suite *s = suite_create("floorplan");
	TCase *t = tcase_create("floorplan");
	tcase_add_test(t, shipped_grid_and_pblocks);
	tcase_add_test(t, parse_and_format);
	tcase_add_test(t, snapping);
	tcase_add_test(t, placement_of_counts);
	tcase_add_test(t, config_refusals);
	tcase_add_test(t, no_grid);
	suite_add_tcase(s, t);
	return s;
}
