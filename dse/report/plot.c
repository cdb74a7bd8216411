/*
 * plot.c - drawing with gnuplot (see plot.h).
 *
 * gnuplot runs as a child process (fork + execv, no shell), with its
 * standard input from /dev/null and its error output into a log file next
 * to the script; any message there counts as a failure, so a figure with
 * an empty range or a typo in a script never slips into a report.
 */
#include "report/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLOT_PACKAGE "gnuplot-nox"

static int search_path(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		return -1;
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		if (n == 0)
			snprintf(out, outlen, "./%s", name);
		else
			snprintf(out, outlen, "%.*s/%s", (int)n, path, name);
		struct stat sb;
		if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0)
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	return -1;
}

/* Run gnuplot with argv[1..] and stderr to `log` (or /dev/null); returns its exit status or -1. */
static int spawn(const char *gnuplot, const char *dir, char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int er = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666) : open("/dev/null", O_WRONLY);
		int nul = open("/dev/null", O_WRONLY);
		if (in < 0 || er < 0 || nul < 0 || dup2(in, 0) < 0 || dup2(nul, 1) < 0 || dup2(er, 2) < 0)
			_exit(126);
		if (dir && chdir(dir) != 0)
			_exit(126);
		execv(gnuplot, argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int plot_find(char *out, size_t outlen, char *err, size_t errlen)
{
	const char *env = getenv("PDSWAP_GNUPLOT");
	if (env && *env) {
		snprintf(out, outlen, "%s", env);
		if (access(out, X_OK) != 0) {
			snprintf(err, errlen,
				 "gnuplot not found at PDSWAP_GNUPLOT='%s'; the report draws its figures with gnuplot"
				 " (Debian package %s)",
				 env, PLOT_PACKAGE);
			return -1;
		}
	} else if (search_path("gnuplot", out, outlen)) {
		snprintf(err, errlen,
			 "gnuplot not found on PATH; the report draws its figures with it: install the Debian"
			 " package %s (apt-get install %s) and run again",
			 PLOT_PACKAGE, PLOT_PACKAGE);
		return -1;
	}
	/* scripts run in their own directory: the program must not be named relative to ours */
	char abs[PATH_MAX];
	if (!realpath(out, abs)) {
		snprintf(err, errlen, "%s: %s; install the Debian package %s", out, strerror(errno), PLOT_PACKAGE);
		return -1;
	}
	snprintf(out, outlen, "%s", abs);
	char *argv[] = {out, "-e", "set terminal svg; set terminal pngcairo", NULL};
	int rc = spawn(out, NULL, argv, NULL);
	if (rc != 0) {
		snprintf(err, errlen,
			 "%s lacks the svg or pngcairo terminal (exit %d); install the Debian package %s", out, rc,
			 PLOT_PACKAGE);
		return -1;
	}
	return 0;
}

int plot_run(const char *gnuplot, const char *dir, const char *script, char *err, size_t errlen)
{
	char log[4096];
	snprintf(log, sizeof log, "%s/%s.log", dir, script);
	char *argv[] = {(char *)gnuplot, (char *)script, NULL};
	int rc = spawn(gnuplot, dir, argv, log);
	char first[512] = "";
	FILE *f = fopen(log, "r");
	if (f) {
		/* the first line that says something (gnuplot echoes the offending
		 * line and a caret before its message) */
		char line[512];
		while (fgets(line, sizeof line, f)) {
			line[strcspn(line, "\n")] = '\0';
			if (strstr(line, "line ") || strstr(line, "warning") || strstr(line, "WARNING") ||
			    !first[0])
				snprintf(first, sizeof first, "%s", line);
			if (strstr(line, "line ") || strstr(line, "arning"))
				break;
		}
		fclose(f);
	}
	remove(log);
	if (rc != 0 || first[0]) {
		snprintf(err, errlen, "gnuplot failed on %s/%s (exit %d): %s", dir, script, rc,
			 first[0] ? first : "no message");
		return -1;
	}
	return 0;
}

static void terminal(FILE *f, const char *stem, bool png)
{
	if (png)
		fprintf(f,
			"set terminal pngcairo size %d,%d font 'DejaVu Sans,14' noenhanced pointscale 1.4"
			" background rgb 'white' linewidth 1.5\n",
			PLOT_PNG_W, PLOT_PNG_H);
	else
		fprintf(f,
			"set terminal svg size %d,%d fixed font 'DejaVu Sans,12' noenhanced"
			" background rgb 'white'\n",
			PLOT_SVG_W, PLOT_SVG_H);
	fprintf(f, "set output '%s.%s'\n", stem, png ? "png" : "svg");
}

void plot_begin(FILE *f, const char *stem)
{
	fprintf(f, "# %s.gp: run 'gnuplot %s.gp' in this directory to draw %s.svg and %s.png again\n", stem,
		stem, stem, stem);
	fputs("set encoding utf8\n", f);
	terminal(f, stem, false);
	fputs("set grid back lt 1 dt 1 lc rgb '#e2e2e2' lw 1\n"
	      "set border 3 lc rgb '#444444'\n"
	      "set tics nomirror out\n"
	      "set key box lc rgb '#bbbbbb' opaque samplen 2.5 spacing 1.2\n",
	      f);
}

void plot_png_terminal(FILE *f, const char *stem)
{
	terminal(f, stem, true);
}

void plot_png(FILE *f, const char *stem)
{
	terminal(f, stem, true);
	fputs("replot\nunset output\n", f);
}

void plot_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void plot_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("NaN", f);
	else
		fprintf(f, "%.9g", v);
}
