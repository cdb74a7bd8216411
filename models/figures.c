/*
 * figures.c - see figures.h.
 */
#include "models/figures.h"

#include <math.h>

figures_len figures_len_none(void)
{
	return (figures_len){NAN, NAN, NAN, NAN, NAN, NAN};
}
