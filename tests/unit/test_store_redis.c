/*
 * test_store_redis.c - the history URL of store_redis.h: every accepted
 * form with its parts, every rejected one with a message that never shows
 * the password, the redaction and the "where" text -vv prints.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "store_redis.h"
#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct good {
	const char *text;
	bool is_unix;
	const char *host;
	unsigned port, db;
	const char *user, *password;
	const char *where;
};

static const struct good goods[] = {
	{ "redis://127.0.0.1", false, "127.0.0.1", 6379, 0, "", "", "redis://127.0.0.1:6379/0" },
	{ "redis://127.0.0.1/", false, "127.0.0.1", 6379, 0, "", "", "redis://127.0.0.1:6379/0" },
	{ "redis://localhost:6380/3", false, "localhost", 6380, 3, "", "",
	  "redis://localhost:6380/3" },
	{ "redis://[::1]:7000/15", false, "::1", 7000, 15, "", "", "redis://[::1]:7000/15" },
	{ "redis://[::1]", false, "::1", 6379, 0, "", "", "redis://[::1]:6379/0" },
	{ "redis://redis.corp.example:1/65535", false, "redis.corp.example", 1, 65535, "", "",
	  "redis://redis.corp.example:1/65535" },
	{ "redis://icinga:s3cret@127.0.0.1:6379/2", false, "127.0.0.1", 6379, 2, "icinga", "s3cret",
	  "redis://icinga@127.0.0.1:6379/2" },
	{ "redis://:s3cret@127.0.0.1", false, "127.0.0.1", 6379, 0, "", "s3cret",
	  "redis://127.0.0.1:6379/0" },
	{ "redis://icinga@127.0.0.1", false, "127.0.0.1", 6379, 0, "icinga", "",
	  "redis://icinga@127.0.0.1:6379/0" },
	/* %XX escapes; an '@' and a ':' in the password; the last '@' ends it */
	{ "redis://u%40x:p%3Aw%2Fd@h", false, "h", 6379, 0, "u@x", "p:w/d", "redis://u@x@h:6379/0" },
	{ "redis://u:p@w@h:1", false, "h", 1, 0, "u", "p@w", "redis://u@h:1/0" },
	{ "unix:/run/redis/redis.sock", true, "/run/redis/redis.sock", 6379, 0, "", "",
	  "unix:/run/redis/redis.sock?db=0" },
	{ "unix:/tmp/r.sock?db=4", true, "/tmp/r.sock", 6379, 4, "", "", "unix:/tmp/r.sock?db=4" },
};

Test(store_redis_url, accepted_forms)
{
	for (size_t i = 0; i < N_ELEMS(goods); i++) {
		const struct good *g = &goods[i];
		struct redis_url u;
		char err[ERRBUF_SIZE] = "", where[REDIS_WHERE_MAX];

		cr_assert(redis_url_is(g->text), "%s", g->text);
		cr_assert_eq(redis_url_parse(g->text, &u, err, sizeof err), 0, "%s: %s", g->text, err);
		cr_expect_eq(u.is_unix, g->is_unix, "%s", g->text);
		cr_expect_str_eq(u.host, g->host, "%s", g->text);
		if (!g->is_unix)
			cr_expect_eq(u.port, g->port, "%s", g->text);
		cr_expect_eq(u.db, g->db, "%s", g->text);
		cr_expect_str_eq(u.user, g->user, "%s", g->text);
		cr_expect_str_eq(u.password, g->password, "%s", g->text);
		redis_url_where(&u, where, sizeof where);
		cr_expect_str_eq(where, g->where, "%s", g->text);
		cr_expect_null(strstr(where, "s3cret"));
		redis_url_wipe(&u);
		cr_expect_str_eq(u.password, "");
	}
}

static const char *const bads[] = {
	"redis:/127.0.0.1", "rediss://127.0.0.1", "http://127.0.0.1", "file",
	"redis://", "redis:///0", "redis://:6379", "redis://h:0", "redis://h:65536",
	"redis://h:-1", "redis://h:x", "redis://h:6379x", "redis://h/65536", "redis://h/x",
	"redis://h/1/2", "redis://h/1?x=1", "redis://h?db=1", "redis://[::1", "redis://[]:1",
	"redis://[::1]x", "redis://[127.0.0.1]", "redis://h o", "redis://h;rm",
	"redis://u:p%zz@h", "redis://u:p%4@h", "redis://u:p%00@h", "redis://u%4@h",
	"unix:", "unix:relative.sock", "unix:/s?db=x", "unix:/s?db=65536", "unix:/s?x=1",
	"unix:/s?db=1&x",
};

Test(store_redis_url, rejected_forms)
{
	for (size_t i = 0; i < N_ELEMS(bads); i++) {
		struct redis_url u;
		char err[ERRBUF_SIZE] = "";

		cr_expect_eq(redis_url_parse(bads[i], &u, err, sizeof err), -1, "%s accepted",
			     bads[i]);
		cr_expect(strstr(err, "history URL") != NULL, "%s: %s", bads[i], err);
		cr_expect_str_eq(u.password, "", "%s: password left behind", bads[i]);
	}
}

Test(store_redis_url, long_parts_rejected)
{
	char text[2048], err[ERRBUF_SIZE];
	struct redis_url u;

	memset(text, 0, sizeof text);
	strcpy(text, "redis://");
	memset(text + 8, 'h', REDIS_HOST_MAX);
	cr_expect_eq(redis_url_parse(text, &u, err, sizeof err), -1);

	strcpy(text, "redis://u:");
	memset(text + 10, 'p', REDIS_PASSWORD_MAX);
	strcpy(text + 10 + REDIS_PASSWORD_MAX, "@h");
	cr_expect_eq(redis_url_parse(text, &u, err, sizeof err), -1);
	cr_expect_null(strstr(err, "ppp"), "%s", err);

	strcpy(text, "unix:/");
	memset(text + 6, 's', 120);
	text[126] = '\0';
	cr_expect_eq(redis_url_parse(text, &u, err, sizeof err), -1);
	cr_expect(strstr(err, "too long") != NULL, "%s", err);
}

Test(store_redis_url, errors_never_show_the_password)
{
	static const char *const texts[] = {
		"redis://icinga:TopSecret1@h:0", "redis://:TopSecret1@h/x",
		"redis://u:TopSecret1@[::1", "redis://u:TopSecret1@h o",
	};

	for (size_t i = 0; i < N_ELEMS(texts); i++) {
		struct redis_url u;
		char err[ERRBUF_SIZE] = "";

		cr_expect_eq(redis_url_parse(texts[i], &u, err, sizeof err), -1, "%s", texts[i]);
		cr_expect_null(strstr(err, "TopSecret1"), "%s", err);
		cr_expect(strstr(err, "(secret)") != NULL, "%s", err);
	}
}

Test(store_redis_url, password_detected_and_redacted)
{
	char out[256];

	cr_expect(redis_url_has_password("redis://u:p@h"));
	cr_expect(redis_url_has_password("redis://:p@h/1"));
	cr_expect_not(redis_url_has_password("redis://u@h"));
	cr_expect_not(redis_url_has_password("redis://u:@h"));
	cr_expect_not(redis_url_has_password("redis://h:6379/0"));
	cr_expect_not(redis_url_has_password("unix:/s"));
	cr_expect_not(redis_url_has_password("file"));
	/* an '@' after the authority is not a password's end */
	cr_expect_not(redis_url_has_password("redis://h:1/x@y"));

	redis_url_redact("redis://u:p@ss@h:1/2", out, sizeof out);
	cr_expect_str_eq(out, "redis://u:(secret)@h:1/2");
	redis_url_redact("redis://:pw@h", out, sizeof out);
	cr_expect_str_eq(out, "redis://:(secret)@h");
	redis_url_redact("redis://h:1/2", out, sizeof out);
	cr_expect_str_eq(out, "redis://h:1/2");
	redis_url_redact("unix:/s?db=1", out, sizeof out);
	cr_expect_str_eq(out, "unix:/s?db=1");
	redis_url_redact("redis://u:longpassword@h", out, 12);
	cr_expect_null(strstr(out, "longpa"));
}

Test(store_redis_url, is)
{
	cr_expect(redis_url_is("redis://h"));
	cr_expect(redis_url_is("unix:/s"));
	cr_expect_not(redis_url_is("file"));
	cr_expect_not(redis_url_is(""));
	cr_expect_not(redis_url_is("Redis://h"));
}

/* --history through config_set: a password only from the INI file, and
 * never in what -vv shows. */
Test(store_redis_url, history_option)
{
	static struct config cfg;
	char err[ERRBUF_SIZE] = "";

	config_init(&cfg);
	cr_expect_str_eq(cfg.history, "file");
	cr_expect_eq(config_set(&cfg, OPT_HISTORY, "redis://[::1]:7000/2", ORIGIN_CLI, err,
				sizeof err), 0, "%s", err);
	cr_expect_str_eq(cfg.history, "redis://[::1]:7000/2");
	cr_expect_str_eq(cfg.given[OPT_HISTORY], "redis://[::1]:7000/2");

	cr_expect_eq(config_set(&cfg, OPT_HISTORY, "redis://u:TopSecret1@h", ORIGIN_CLI, err,
				sizeof err), -1);
	cr_expect(strstr(err, "command line") != NULL, "%s", err);
	cr_expect_null(strstr(err, "TopSecret1"), "%s", err);
	cr_expect_str_eq(cfg.history, "redis://[::1]:7000/2");

	cr_expect_eq(config_set(&cfg, OPT_HISTORY, "redis://u:TopSecret1@h", ORIGIN_INI_SECTION,
				err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(cfg.history, "redis://u:TopSecret1@h");
	cr_expect_null(strstr(cfg.given[OPT_HISTORY], "TopSecret1"), "%s", cfg.given[OPT_HISTORY]);
	cr_expect_str_eq(cfg.given[OPT_HISTORY], "redis://u:(secret)@h");
	config_wipe_secrets(&cfg);
	cr_expect_str_eq(cfg.history, "");

	cr_expect_eq(config_set(&cfg, OPT_HISTORY, "files", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect(strstr(err, "'file', redis://... or unix:/...") != NULL, "%s", err);
	cr_expect_eq(config_set(&cfg, OPT_HISTORY, "redis://h:0", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect(strstr(err, "--history: history URL 'redis://h:0': the port") != NULL, "%s", err);

	config_init(&cfg);
	cfg.hostname[0] = 'h';
	cr_expect_eq(config_set(&cfg, OPT_HISTORY_COPY_FROM, "file", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect(strstr(err, "itself") != NULL, "%s", err);
	cr_expect_eq(config_set(&cfg, OPT_HISTORY, "unix:/run/redis.sock", ORIGIN_CLI, err,
				sizeof err), 0);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s", err);
}
