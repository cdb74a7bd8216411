/*
 * figures.c - see figures.h.
 */
#include "models/figures.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>

figures_len figures_len_none(void)
{
	return (figures_len){NAN, NAN, NAN, NAN, NAN, NAN};
}

figures_dist figures_dist_of(const double *sorted, size_t n)
{
	if (n == 0)
		return (figures_dist){NAN, NAN, NAN, NAN, NAN};
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	return (figures_dist){sum / (double)n, gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.50),
			      gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.90),
			      gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.95),
			      gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.99)};
}
