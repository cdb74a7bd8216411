/*
 * bench_des.c - speed of the discrete-event model: the longest inference
 * the model takes, a prompt of max_context - 256 tokens and 256 generated
 * (1792 + 256 on the 2048-token 0.73B model: what `pdswap-dse simulate
 * CONFIG --design NAME --prompt 1792 --gen 256 --model des` runs), of each
 * named design of the config, best wall time of a few runs, and the event
 * rate of that run.
 * Prints "name: value" lines for tests/bench.sh.
 *
 * usage: bench_des CONFIG [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "models/cfg.h"
#include "sim/des.h"
#include "models/workload.h"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "configs/kv260.yaml";
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	if (runs < 1)
		runs = 1;
	cfg_t c;
	char err[1024];
	if (config_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	workload_t w;
	workload_init(&w, &c.model);
	const char *main_design = c.meas.dpr_design;
	const int gen = 256, prompt = c.model.max_context - gen;
	if (prompt < 1) {
		fprintf(stderr, "bench_des: %s: max_context %d leaves no prompt beside %d generated tokens\n", path,
			c.model.max_context, gen);
		cfg_release(&c);
		return 2;
	}
	double main_wall = 0, main_rate = 0;
	for (int i = 0; i < c.n_designs; i++) {
		const design_t *d = &c.designs[i].d;
		double best = 1e30;
		des_result r;
		for (int k = 0; k < runs; k++) {
			if (des_run(&c, &w, d, prompt, gen, NULL, &r, err, sizeof err)) {
				fprintf(stderr, "bench_des: %s\n", err);
				cfg_release(&c);
				return 1;
			}
			if (r.wall_s < best)
				best = r.wall_s;
		}
		double rate = r.events / best;
		printf("des_events_%d_%d_%s: %llu\n", prompt, gen, c.designs[i].name, (unsigned long long)r.events);
		printf("des_wall_s_%d_%d_%s: %.4f\n", prompt, gen, c.designs[i].name, best);
		printf("des_events_per_s_%s: %.0f\n", c.designs[i].name, rate);
		if (i == 0 || strcmp(c.designs[i].name, main_design) == 0) {
			main_wall = best;
			main_rate = rate;
		}
	}
	/* the headline figures: the published PD-Swap design */
	printf("des_events_per_s: %.0f\n", main_rate);
	printf("des_wall_s_%d_%d: %.4f\n", prompt, gen, main_wall);
	cfg_release(&c);
	return 0;
}
