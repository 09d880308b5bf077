/*
 * test_histname.c - a history's names: keys that follow the agent, not
 * the spelling of -H, and cannot escape their directory; the documented
 * order of paths; the claim of a legacy history; private directories.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "histname.h"
#include "history_fixtures.h"
#include "util.h"

/* ------------------------------------------------------------- helpers */

static void cfg_for(struct config *cfg, const char *host, const char *process)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->hostname, sizeof cfg->hostname, "%s", host);
	snprintf(cfg->process, sizeof cfg->process, "%s", process);
	cfg->port = 161;
}

static void assert_safe_name(const char *key)
{
	const char *p;

	cr_assert_gt(strlen(key), 0);
	cr_assert_leq(strlen(key), HISTORY_KEY_MAX);
	cr_assert_neq(key[0], '.', "hidden or dot name: %s", key);
	for (p = key; *p; p++)
		cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789._-%+=~", *p), "byte %02x in %s",
			  (unsigned char)*p, key);
}

/* -------------------------------------------------------------- keys */

Test(histname, key_names_host_port_and_process)
{
	struct config cfg;
	char key[HISTORY_KEY_MAX + 1], err[ERRBUF_SIZE];

	cfg_for(&cfg, "EXCH01.corp.example", "Async.exe");
	cr_assert_eq(history_key(&cfg, key, sizeof key, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(key, "exch01.corp.example+161+async.exe");
	snprintf(cfg.regex, sizeof cfg.regex, "^Async\\.exe$");
	snprintf(cfg.section, sizeof cfg.section, "exch01 mail");
	cfg.port = 1161;
	cr_assert_eq(history_key(&cfg, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "exch01.corp.example+1161+re=%5EAsync%5C.exe%24+sec=exch01%20mail");
	assert_safe_name(key);
	cfg.hostname[0] = '\0';
	cr_assert_eq(history_key(&cfg, key, sizeof key, err, sizeof err), -1);
}

Test(histname, the_name_follows_the_agent_not_the_spelling_of_H)
{
	static const char *const peers[] = {
		"udp:127.0.0.1:161", "tcp:127.0.0.1:161", "127.0.0.1:161",
	};
	struct config cfg, agent;
	char key[HISTORY_KEY_MAX + 1], err[ERRBUF_SIZE];
	size_t i;

	cfg_for(&cfg, "LocalHost", "Async.exe");
	snprintf(cfg.section, sizeof cfg.section, "demo");
	for (i = 0; i < sizeof peers / sizeof *peers; i++) {
		cr_assert_eq(history_agent_config(&cfg, peers[i], &agent, err, sizeof err), 0,
			     "%s: %s", peers[i], err);
		cr_assert_eq(history_key(&agent, key, sizeof key, err, sizeof err), 0);
		cr_assert_str_eq(key, "127.0.0.1+161+async.exe", "%s", peers[i]);
	}
	cr_assert_str_eq(agent.process, "Async.exe", "the rest of cfg is copied");
	cr_assert_str_eq(cfg.hostname, "LocalHost", "cfg itself is untouched");
	/* The legacy name, from the configuration as given. */
	cr_assert_eq(history_key(&cfg, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "localhost+161+async.exe+sec=demo");

	cr_assert_eq(history_agent_config(&cfg, "udp6:[::1]:1161", &agent, err, sizeof err), 0, "%s", err);
	cr_assert_eq(agent.port, 1161);
	cr_assert_eq(history_key(&agent, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "%3A%3A1+1161+async.exe");
	assert_safe_name(key);

	cr_assert_eq(history_agent_config(&cfg, "", &agent, err, sizeof err), -1);
	cr_assert_eq(history_agent_config(&cfg, NULL, &agent, err, sizeof err), -1);
	cr_assert_eq(history_agent_config(&cfg, "udp:127.0.0.1", &agent, err, sizeof err), -1,
		     "a peer without a port is no peer the query used");
}

Test(histname, claim_takes_the_legacy_name_and_drops_a_foreign_one)
{
	struct history h;
	char err[ERRBUF_SIZE];
	const char *text = "# check_async_leak state v1\n# key=localhost+161+async.exe\n"
			   "1700000000 49256 1388\n";

	cr_assert_eq(history_parse(text, strlen(text), 1700000100, &h, err, sizeof err), 0);
	history_claim(&h, "127.0.0.1+161+async.exe", "localhost+161+async.exe");
	cr_assert_eq(h.n, 1, "the legacy history is kept");
	cr_assert_str_eq(h.key, "127.0.0.1+161+async.exe");
	cr_assert_not(h.foreign);
	history_free(&h);

	cr_assert_eq(history_parse(text, strlen(text), 1700000100, &h, err, sizeof err), 0);
	history_claim(&h, "127.0.0.1+161+async.exe", "other+161+async.exe");
	cr_assert_eq(h.n, 0, "another check's history is dropped");
	cr_assert(h.foreign);
	cr_assert(strstr(h.note, "belongs to another check") != NULL, "%s", h.note);
	cr_assert_str_eq(h.key, "127.0.0.1+161+async.exe");
	history_free(&h);

	cr_assert_eq(history_parse(text, strlen(text), 1700000100, &h, err, sizeof err), 0);
	history_claim(&h, "localhost+161+async.exe", NULL);
	cr_assert_eq(h.n, 1, "its own key");
	history_free(&h);
}

Test(histname, key_cannot_escape_the_directory)
{
	static const char *const hosts[] = {
		"../../etc/passwd", "/etc/passwd", ".", "..", ".hidden", "a/b",
		"exch\xc3\xa9.example", "host\nname", "::1", "x y+z=w%41~",
	};
	struct config cfg;
	char key[HISTORY_KEY_MAX + 1], err[ERRBUF_SIZE];
	size_t i;

	for (i = 0; i < sizeof hosts / sizeof *hosts; i++) {
		cfg_for(&cfg, hosts[i], "Async.exe");
		cr_assert_eq(history_key(&cfg, key, sizeof key, err, sizeof err), 0);
		assert_safe_name(key);
		cr_assert_null(strchr(key, '/'));
	}
	cfg_for(&cfg, "..", "..");
	cr_assert_eq(history_key(&cfg, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "%2E.+161+..");	/* only a leading dot matters */
	cfg_for(&cfg, "exch\xc3\xa9", "Async.exe");
	cr_assert_eq(history_key(&cfg, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "exch%C3%A9+161+async.exe");
}

Test(histname, long_keys_are_cut_with_a_hash)
{
	struct config a, b;
	char ka[HISTORY_KEY_MAX + 1], kb[HISTORY_KEY_MAX + 1], err[ERRBUF_SIZE];

	cfg_for(&a, "exch01.corp.example", "Async.exe");
	memset(a.regex, '/', 255);
	a.regex[255] = '\0';
	b = a;
	b.regex[254] = 'x';
	cr_assert_eq(history_key(&a, ka, sizeof ka, err, sizeof err), 0);
	cr_assert_eq(history_key(&b, kb, sizeof kb, err, sizeof err), 0);
	assert_safe_name(ka);
	assert_safe_name(kb);
	cr_assert_str_neq(ka, kb);
	cr_assert(strncmp(ka, "exch01.corp.example+161+re=%2F%2F", 33) == 0, "%s", ka);
	cr_assert_not_null(strchr(ka, '~'));
	/* Never a broken %XX before the hash. */
	cr_assert(strchr(ka, '~')[-3] == '%', "%s", ka);
	/* Too small a buffer is an error, not a silent cut. */
	cr_assert_eq(history_key(&a, ka, 20, err, sizeof err), -1);
}

/* ------------------------------------------------------------- paths */

Test(histname, path_follows_the_documented_order)
{
	struct config cfg;
	char path[HISTORY_PATH_MAX], err[ERRBUF_SIZE];

	cfg_for(&cfg, "exch01.corp.example", "Async.exe");
	cr_assert_eq(history_path(&cfg, NULL, 110, path, sizeof path, err, sizeof err), 0);
	cr_assert_str_eq(path, STATE_DEFAULT_ROOT
			 "/check_async_leak-110/exch01.corp.example+161+async.exe.state");
	cr_assert_eq(history_path(&cfg, "", 110, path, sizeof path, err, sizeof err), 0);
	cr_assert(strncmp(path, STATE_DEFAULT_ROOT "/", strlen(STATE_DEFAULT_ROOT) + 1) == 0);
	cr_assert_eq(history_path(&cfg, "/var/lib/mp", 110, path, sizeof path, err, sizeof err), 0);
	cr_assert_str_eq(path,
			 "/var/lib/mp/110/check_async_leak/exch01.corp.example+161+async.exe.state");
	cr_assert_eq(history_path(&cfg, "relative", 110, path, sizeof path, err, sizeof err), -1);
	snprintf(cfg.state_dir, sizeof cfg.state_dir, "/srv/state");
	cr_assert_eq(history_path(&cfg, "/var/lib/mp", 110, path, sizeof path, err, sizeof err), 0);
	cr_assert_str_eq(path, "/srv/state/exch01.corp.example+161+async.exe.state");
	snprintf(cfg.state_file, sizeof cfg.state_file, "/srv/one.state");
	cr_assert_eq(history_path(&cfg, "/var/lib/mp", 110, path, sizeof path, err, sizeof err), 0);
	cr_assert_str_eq(path, "/srv/one.state");
	cr_assert_eq(history_path(&cfg, NULL, 110, path, 10, err, sizeof err), -1);
}

Test(histname, a_state_file_name_must_name_a_file_of_its_own)
{
	struct config cfg;
	char path[HISTORY_PATH_MAX], err[ERRBUF_SIZE];
	static const char *const bad[] = { "dir/", "/srv/", ".", "/srv/..", "a.lock",
					   "/srv/x.state.lock", "a.tmp", "/srv/a.state.tmp.1a2b3c" };

	cfg_for(&cfg, "exch01", "Async.exe");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(cfg.state_file, sizeof cfg.state_file, "%s", bad[i]);
		cr_expect_eq(history_path(&cfg, NULL, 110, path, sizeof path, err, sizeof err), -1,
			     "%s accepted", bad[i]);
	}
	snprintf(cfg.state_file, sizeof cfg.state_file, "/srv/a.tmpl");
	cr_expect_eq(history_path(&cfg, NULL, 110, path, sizeof path, err, sizeof err), 0, "%s",
		     err);
	snprintf(cfg.state_file, sizeof cfg.state_file, "dir/");
	history_path(&cfg, NULL, 110, path, sizeof path, err, sizeof err);
	cr_expect_str_eq(err, "state file 'dir/' names a directory, not a file");
}

Test(histname, the_system_state_dir_is_used_only_when_safe)
{
	char dir[64], sub[128];

	tmpdir(dir, sizeof dir);
	cr_expect(history_system_dir_usable(dir, geteuid()));
	cr_expect_not(history_system_dir_usable("/nonexistent/check_async_leak", geteuid()));
	chmod(dir, 0777);
	cr_expect_not(history_system_dir_usable(dir, geteuid()), "world-writable");
	chmod(dir, 0700);
	if (geteuid() == 0) {
		/* Owned by another user: not ours to use. */
		cr_assert_eq(chown(dir, 65534, 65534), 0);
		cr_expect_not(history_system_dir_usable(dir, 0));
		cr_assert_eq(chown(dir, 0, 0), 0);
	}
	/* Our <euid> directory there already: used (history_prepare_dir checks it). */
	snprintf(sub, sizeof sub, "%s/%u", dir, 4242u);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_expect(history_system_dir_usable(dir, 4242u) || geteuid() != 0);
	rmtree(dir);
}

/* ------------------------------------------------------- directories */

Test(histname, prepare_dir_creates_private_directories)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct stat sb;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/a/b/c/x.state", dir);
	cr_assert_eq(history_prepare_dir(path, geteuid(), err, sizeof err), 0, "%s", err);
	snprintf(path, sizeof path, "%s/a/b/c", dir);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert(S_ISDIR(sb.st_mode));
	cr_assert_eq(sb.st_mode & 07777, 0700);
	snprintf(path, sizeof path, "%s/a", dir);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0700);
	rmtree(dir);
}

Test(histname, prepare_dir_refuses_a_world_writable_or_foreign_directory)
{
	char dir[64], path[300], sub[256], err[ERRBUF_SIZE];

	tmpdir(dir, sizeof dir);
	snprintf(sub, sizeof sub, "%s/d", dir);
	snprintf(path, sizeof path, "%s/x.state", sub);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_eq(chmod(sub, 0777), 0);
	cr_assert_eq(history_prepare_dir(path, geteuid(), err, sizeof err), -1);
	cr_assert(strstr(err, "writable by every user"), "%s", err);
	cr_assert_eq(chmod(sub, 0770), 0);	/* a shared group is fine */
	cr_assert_eq(history_prepare_dir(path, geteuid(), err, sizeof err), 0, "%s", err);
	/* Owned by someone else (another uid than ours, not root). */
	if (geteuid() == 0) {
		cr_assert_eq(chown(sub, 110, 110), 0);
		cr_assert_eq(history_prepare_dir(path, 110, err, sizeof err), 0, "%s", err);
		cr_assert_eq(history_prepare_dir(path, 12345, err, sizeof err), -1);
		cr_assert(strstr(err, "owned by uid 110"), "%s", err);
		cr_assert_eq(chown(sub, 0, 0), 0);	/* root's directory: trusted */
		cr_assert_eq(history_prepare_dir(path, 110, err, sizeof err), 0, "%s", err);
		/* A link planted by another user is refused too. */
		snprintf(sub, sizeof sub, "%s/link", dir);
		cr_assert_eq(symlink(dir, sub), 0);
		cr_assert_eq(lchown(sub, 12345, 12345), 0);
		snprintf(path, sizeof path, "%s/x.state", sub);
		cr_assert_eq(history_prepare_dir(path, 0, err, sizeof err), -1);
		cr_assert(strstr(err, "symbolic link owned by uid 12345"), "%s", err);
	} else {
		cr_assert_eq(history_prepare_dir(path, geteuid() + 1, err, sizeof err), -1);
	}
	rmtree(dir);
}

Test(histname, a_directory_that_cannot_be_made_says_why)
{
	char err[ERRBUF_SIZE];

	/* sysfs refuses new directories (EPERM, or EROFS read-only): the
	 * reason is mkdir's, not the ENOENT of a later look at the path. */
	cr_assert_eq(history_prepare_dir("/sys/check_async_leak_test/x/h.state", geteuid(), err,
				       sizeof err), -1);
	cr_expect(strstr(err, "cannot create state directory /sys/check_async_leak_test:") != NULL,
		  "%s", err);
	cr_expect(strstr(err, "No such file") == NULL, "%s", err);
}

Test(histname, a_directory_of_another_user_is_refused_with_the_way_out)
{
	char dir[64], path[128], err[ERRBUF_SIZE];

	if (geteuid() != 0)
		cr_skip_test("needs root to give a directory away");
	tmpdir(dir, sizeof dir);
	cr_assert_eq(chown(dir, 65534, 65534), 0);
	snprintf(path, sizeof path, "%s/h.state", dir);
	cr_assert_eq(history_prepare_dir(path, 1000, err, sizeof err), -1);
	cr_expect(strstr(err, "is owned by uid 65534, not by 1000 or root (another user may "
			  "have made it first): create /var/lib/check_async_leak owned by this "
			  "user (mode 0700), or set --state-dir or MP_STATE_PATH") != NULL,
		  "%s", err);
	cr_assert_eq(chown(dir, 0, 0), 0);
	rmtree(dir);
}
