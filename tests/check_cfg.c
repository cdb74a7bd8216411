/*
 * check_cfg.c - the config loader: the shipped configs load, and every
 * kind of user error is reported as FILE:LINE:COL naming the key.
 */
#include "suites.h"
#include "testutil.h"

/* Load a buffer; expect failure with `line:col` and every `needle`. */
static void expect_error(const char *text, int line, int col, const char *needle)
{
	cfg_t c;
	char err[1024], pos[64];
	int rc = cfg_load_buffer(&c, "t.yaml", text, strlen(text), err, sizeof err);
	ck_assert_msg(rc == -1, "expected an error containing '%s'", needle);
	snprintf(pos, sizeof pos, "t.yaml:%d:%d: ", line, col);
	ck_assert_msg(strncmp(err, pos, strlen(pos)) == 0, "expected position %s in: %s", pos, err);
	ck_assert_msg(strstr(err, needle) != NULL, "expected '%s' in: %s", needle, err);
}

START_TEST(default_loads)
{
	cfg_t c;
	tu_load_default(&c);
	ck_assert_int_eq(c.dev.n_hp, 4);
	ck_assert_int_eq(c.model.layers, 24);
	ck_assert_int_eq(strlen(c.sha256), 64);
	ck_assert_int_ge(cfg_find_design(&c, "tellme"), 0);
	cfg_release(&c);
}
END_TEST

START_TEST(basic_errors)
{
	expect_error("", 1, 1, "no YAML document");
	expect_error("- a\n- b\n", 1, 1, "must be a mapping");
	expect_error("schema: 1\nschema: 1\n", 2, 1, "duplicate key 'schema'");
	expect_error("schema: 1\nbogus: 2\n", 2, 1, "unknown key 'bogus'");
	expect_error("schema: [1\n", 2, 1, "YAML syntax error");
	expect_error("schema: 2\n", 1, 9, "schema 1");
}
END_TEST

Suite *cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *t = tcase_create("load");
	tcase_add_test(t, default_loads);
	tcase_add_test(t, basic_errors);
	suite_add_tcase(s, t);
	return s;
}
