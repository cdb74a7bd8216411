/*
 * plot.h - drawing with gnuplot: find the program, run a script, and the
 * small writers every figure script needs.
 *
 * A figure is one self-contained gnuplot script (its data inline as
 * datablocks) that draws the same plot to an SVG file and to a PNG file.
 * The script is run in the directory it lies in, so it names its outputs
 * by relative paths, and it can be run again by hand to restyle a figure.
 *
 * gnuplot is found on PATH (or at $PDSWAP_GNUPLOT when that is set); a
 * missing program is reported with the Debian package that provides it.
 */
#ifndef PDS_PLOT_H
#define PDS_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Sizes of the rendered figures, in pixels. */
#define PLOT_SVG_W 900
#define PLOT_SVG_H 560
#define PLOT_PNG_W 1200
#define PLOT_PNG_H 750

/*
 * Find gnuplot and check that it has the svg and pngcairo terminals.
 * Returns 0 with its path in `out`, or -1 with a message naming the
 * package to install.
 */
int plot_find(char *out, size_t outlen, char *err, size_t errlen);

/*
 * Run `gnuplot SCRIPT` with `dir` as its working directory; its error
 * output goes to DIR/SCRIPT.log, which is removed when it is empty.
 * Returns 0 when gnuplot exits 0 and wrote no message, or -1 with the
 * first line of its messages in err.
 */
int plot_run(const char *gnuplot, const char *dir, const char *script, char *err, size_t errlen);

/*
 * Start a figure script: terminal settings shared by every figure and the
 * first output (SVG).  plot_png() switches to PNG and replots.
 */
void plot_begin(FILE *f, const char *stem);
void plot_png(FILE *f, const char *stem);
/* The PNG output alone, for a figure that draws itself again (a multiplot
 * cannot be replotted); the script then ends with "unset output". */
void plot_png_terminal(FILE *f, const char *stem);

/* A string as a gnuplot double-quoted literal (backslashes and quotes escaped). */
void plot_quote(FILE *f, const char *s);

/* A number in a datablock: "NaN" for NaN (gnuplot skips it). */
void plot_num(FILE *f, double v);

#endif
