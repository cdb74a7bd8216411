/*
 * check_fuzz.c - the fuzzing corpus as regression tests.  Every file in
 * tests/fuzz/regress/ (inputs that found a bug: a crash, a hang, a broken
 * rule or a wrong acceptance, minimised; the name says how it was found)
 * and tests/fuzz/seeds/ (one file per class of user error) must
 * pass the fuzz oracle (fz_oracle.h): a positioned error, or a config on
 * which the model stays finite.  So must every shipped config.
 */
#include <dirent.h>

#include "fz_oracle.h"
#include "suites.h"
#include "testutil.h"

/* Check every regular file of `dir`; returns how many there were. */
static int check_dir(const char *dir, int *n_loaded)
{
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		size_t len;
		char *b = tu_read(path, &len);
		char why[1024];
		bool loaded;
		int rc = fz_check_text(path, b, len, &loaded, why, sizeof why);
		ck_assert_msg(rc == 0, "%s: %s", path, why);
		*n_loaded += loaded;
		free(b);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(regressions)
{
	int loaded = 0;
	int n = check_dir("tests/fuzz/regress", &loaded);
	ck_assert_int_ge(n, 1);
}
END_TEST

START_TEST(seeds)
{
	int loaded = 0;
	int n = check_dir("tests/fuzz/seeds", &loaded);
	ck_assert_int_ge(n, 20);
	ck_assert_int_eq(loaded, 0); /* each seed is an error case */
}
END_TEST

START_TEST(shipped_configs)
{
	int loaded = 0;
	int n = check_dir("configs", &loaded);
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq(loaded, n);
}
END_TEST

Suite *fuzz_suite(void)
{
	Suite *s = suite_create("fuzz");
	TCase *t = tcase_create("corpus");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, regressions);
	tcase_add_test(t, seeds);
	tcase_add_test(t, shipped_configs);
	suite_add_tcase(s, t);
	return s;
}
