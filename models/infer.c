/*
 * infer.c - see infer.h.
 */
#include "models/infer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void infer_set_size(design_t *d, int size, int value)
{
	switch (size) {
	case CFG_SIZE_PRE_PE: d->pre_pe = value; break;
	case CFG_SIZE_PRE_LANES: d->pre_lanes = value; break;
	case CFG_SIZE_DEC_LANES: d->dec_lanes = value; break;
	default: BUG("size %d", size);
	}
}

int infer_get_size(const design_t *d, int size)
{
	switch (size) {
	case CFG_SIZE_PRE_PE: return d->pre_pe;
	case CFG_SIZE_PRE_LANES: return d->pre_lanes;
	case CFG_SIZE_DEC_LANES: return d->dec_lanes;
	default: BUG("size %d", size);
	}
}

static int size_limit(const cfg_t *c, int size)
{
	return size == CFG_SIZE_PRE_PE ? 4096 : c->model.head_dim;
}

int infer_design(cfg_t *c, int di, char *err, size_t errlen)
{
	cfg_design *cd = &c->designs[di];
	design_t *d = &cd->d;
	for (int k = 0; k < cd->n_inferred; k++) {
		cfg_inferred *in = &cd->inferred[k];
		bool pre = in->size != CFG_SIZE_DEC_LANES;
		const res_t *row = in->row == CFG_ROW_PREFILL_RM ? &c->meas.t2_pre : &c->meas.t2_dec;
		const res_t *cost = pre ? &c->cal.pre_per_mac.r : &c->cal.dec_per_mac.r;
		double per = in->size == CFG_SIZE_PRE_PE      ? d->pre_lanes
			     : in->size == CFG_SIZE_PRE_LANES ? d->pre_pe
			     : d->dec_dataflow == DF_HEAD_PIPE ? 2 : 1;
		double lmin = INFINITY, lmax = -INFINITY, lsum = 0;
		int n = 0;
		for (int t = 0; t < RES_N; t++) {
			in->by_type[t] = NAN;
			in->left_out[t][0] = '\0';
			if (!(cost->v[t] > 0))
				snprintf(in->left_out[t], sizeof in->left_out[t], "no per-unit cost in %s", res_names[t]);
			else if (!(row->v[t] > 0))
				snprintf(in->left_out[t], sizeof in->left_out[t], "the row has no %s", res_names[t]);
			else if (row->v[t] > c->meas.t2_dynamic.v[t] && c->meas.t2_dynamic.v[t] > 0)
				snprintf(in->left_out[t], sizeof in->left_out[t],
					 "exceeds the dynamic region's %s (%g > %g)", res_names[t], row->v[t],
					 c->meas.t2_dynamic.v[t]);
			if (in->left_out[t][0])
				continue;
			double sz = row->v[t] / cost->v[t] / per;
			in->by_type[t] = sz;
			lmin = fmin(lmin, sz);
			lmax = fmax(lmax, sz);
			lsum += log(sz);
			n++;
		}
		if (n == 0) {
			snprintf(err, errlen, "designs.%s: no resource type of %s gives a size for %s", cd->name,
				 cfg_row_names[in->row], cfg_size_names[in->size]);
			return -1;
		}
		int lim = size_limit(c, in->size);
		double centre = exp(lsum / n);
		/* the per-type sizes are quotients: a whole number may come out a rounding below or above */
		in->lo = (int)floor(lmin * (1 + 1e-9));
		in->hi = (int)ceil(lmax * (1 - 1e-9));
		in->centre = (int)lround(centre);
		if (in->lo < 1)
			in->lo = 1;
		if (in->centre < in->lo)
			in->centre = in->lo;
		if (in->hi > lim)
			in->hi = lim;
		if (in->centre > in->hi)
			in->centre = in->hi;
		if (in->lo > in->hi) {
			snprintf(err, errlen, "designs.%s: %s inferred from %s at %.3g .. %.3g, beyond its limit [1, %d]",
				 cd->name, cfg_size_names[in->size], cfg_row_names[in->row], lmin, lmax, lim);
			return -1;
		}
		infer_set_size(d, in->size, in->centre);
	}
	return 0;
}

int infer_all(cfg_t *c, char *err, size_t errlen)
{
	for (int i = 0; i < c->n_designs; i++)
		if (c->designs[i].n_inferred && infer_design(c, i, err, errlen))
			return -1;
	return 0;
}

design_t infer_design_at(const cfg_t *c, int di, int end)
{
	const cfg_design *cd = &c->designs[di];
	design_t d = cd->d;
	for (int k = 0; k < cd->n_inferred; k++) {
		const cfg_inferred *in = &cd->inferred[k];
		infer_set_size(&d, in->size, end < 0 ? in->lo : end > 0 ? in->hi : in->centre);
	}
	return d;
}

bool infer_engine(const cfg_t *c, int di, bool prefill)
{
	const cfg_design *cd = &c->designs[di];
	for (int k = 0; k < cd->n_inferred; k++)
		if ((cd->inferred[k].size != CFG_SIZE_DEC_LANES) == prefill)
			return true;
	return false;
}
