/*
 * histname.c - a check's history key, its state file's path and the
 * directory for it (see histname.h for the order and the encoding).
 */
#include "histname.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "util.h"

static bool keep_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * Appends src, %XX-encoded, to dst[size] at *len.  lower folds ASCII
 * letters (host names and process names match case-insensitively, so
 * "Async.exe" and "async.exe" must share a file).  Returns 0 or -1 when
 * it does not fit.
 */
static int encode_part(char *dst, size_t size, size_t *len, const char *src, bool lower)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; src[i]; i++) {
		unsigned char c = (unsigned char)src[i];

		if (lower && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		/* A leading '.' would make a hidden file (or "." / ".."). */
		if (keep_byte(c) && !(c == '.' && *len == 0)) {
			if (*len + 1 >= size)
				return -1;
			dst[(*len)++] = (char)c;
		} else {
			if (*len + 3 >= size)
				return -1;
			dst[(*len)++] = '%';
			dst[(*len)++] = hex[c >> 4];
			dst[(*len)++] = hex[c & 0xf];
		}
	}
	dst[*len] = '\0';
	return 0;
}

static int append_raw(char *dst, size_t size, size_t *len, const char *src)
{
	size_t n = strlen(src);

	if (*len + n >= size)
		return -1;
	memcpy(dst + *len, src, n + 1);
	*len += n;
	return 0;
}

/* FNV-1a, 64 bits: enough to tell apart the few checks of one directory. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

int history_agent_config(const struct config *cfg, const char *peer, struct config *out,
		       char *err, size_t errlen)
{
	struct address a;

	if (!peer || !peer[0] || address_parse(peer, &a, err, errlen) < 0 || a.port == 0)
		return errorf(err, errlen, "no agent address to name the state file after");
	*out = *cfg;
	if (copy_str(out->hostname, sizeof out->hostname, a.host) < 0)
		return errorf(err, errlen, "agent address too long");
	out->port = a.port;
	out->section[0] = '\0';
	return 0;
}

int history_key(const struct config *cfg, char *key, size_t keylen,
	      char *err, size_t errlen)
{
	/* Room for every part fully encoded: 3 bytes per input byte. */
	char full[3 * (sizeof cfg->hostname + sizeof cfg->regex + sizeof cfg->path +
		       sizeof cfg->section) + 64];
	char port[16];
	size_t len = 0;
	bool regex = config_use_regex(cfg);
	int rc = 0;

	if (!cfg->hostname[0])
		return errorf(err, errlen, "no host name to name the state file after");
	snprintf(port, sizeof port, "+%u+", cfg->port);
	rc |= encode_part(full, sizeof full, &len, cfg->hostname, true);
	rc |= append_raw(full, sizeof full, &len, port);
	if (regex) {
		rc |= append_raw(full, sizeof full, &len, "re=");
		rc |= encode_part(full, sizeof full, &len, cfg->regex, false);
	} else {
		rc |= encode_part(full, sizeof full, &len, cfg->process, true);
	}
	if (cfg->path[0]) {
		rc |= append_raw(full, sizeof full, &len, "+path=");
		rc |= encode_part(full, sizeof full, &len, cfg->path, false);
	}
	if (cfg->section[0]) {
		rc |= append_raw(full, sizeof full, &len, "+sec=");
		rc |= encode_part(full, sizeof full, &len, cfg->section, false);
	}
	if (rc)
		return errorf(err, errlen, "state file name too long");

	if (len > HISTORY_KEY_MAX) {
		/* Keep a readable prefix, cut before a %XX, and add a hash of all. */
		size_t keep = HISTORY_KEY_MAX - 17;

		if (full[keep - 1] == '%')
			keep -= 1;
		else if (full[keep - 2] == '%')
			keep -= 2;
		snprintf(full + keep, sizeof full - keep, "~%016llx",
			 (unsigned long long)fnv1a(full));
		len = strlen(full);
	}
	if (len >= keylen)
		return errorf(err, errlen, "state file name too long");
	memcpy(key, full, len + 1);
	return 0;
}

bool history_system_dir_usable(const char *dir, unsigned euid)
{
	char sub[HISTORY_PATH_MAX];
	struct stat sb;
	int n;

	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) ||
	    (sb.st_uid != euid && sb.st_uid != 0) || (sb.st_mode & S_IWOTH))
		return false;
	n = snprintf(sub, sizeof sub, "%s/%u", dir, euid);
	if (n < 0 || (size_t)n >= sizeof sub)
		return false;
	if (lstat(sub, &sb) == 0)
		return true;	/* ours or not, history_prepare_dir() says which */
	return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
}

int history_path(const struct config *cfg, const char *mp_state_path,
	       unsigned euid, char *path, size_t pathlen,
	       char *err, size_t errlen)
{
	char key[HISTORY_KEY_MAX + 1];
	int n;

	if (cfg->state_file[0]) {
		size_t len = strlen(cfg->state_file);
		const char *base = strrchr(cfg->state_file, '/');

		base = base ? base + 1 : cfg->state_file;
		if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
			return errorf(err, errlen, "state file '%s' names a directory, not a file",
				      cfg->state_file);
		/* FILE.lock and FILE.tmp.* are the plugin's own: a state file so
		 * named would be another check's lock or temporary file. */
		if ((len >= 5 && strcmp(cfg->state_file + len - 5, ".lock") == 0) ||
		    (len >= 4 && strcmp(cfg->state_file + len - 4, ".tmp") == 0) ||
		    strstr(base, ".tmp.") != NULL)
			return errorf(err, errlen, "state file '%s' must not end in .lock or "
				      ".tmp (the names of the lock and temporary files next to a "
				      "state file)", cfg->state_file);
		if (copy_str(path, pathlen, cfg->state_file) < 0)
			return errorf(err, errlen, "state file path too long");
		return 0;
	}
	if (history_key(cfg, key, sizeof key, err, errlen) < 0)
		return -1;
	if (cfg->state_dir[0]) {
		n = snprintf(path, pathlen, "%s/%s.state", cfg->state_dir, key);
	} else if (mp_state_path && mp_state_path[0]) {
		if (mp_state_path[0] != '/')
			return errorf(err, errlen,
				      "MP_STATE_PATH must be an absolute path, not '%s'",
				      mp_state_path);
		n = snprintf(path, pathlen, "%s/%u/check_async_leak/%s.state",
			     mp_state_path, euid, key);
	} else if (history_system_dir_usable(STATE_SYSTEM_DIR, euid)) {
		n = snprintf(path, pathlen, "%s/%u/%s.state", STATE_SYSTEM_DIR, euid, key);
	} else {
		n = snprintf(path, pathlen, "%s/check_async_leak-%u/%s.state",
			     STATE_DEFAULT_ROOT, euid, key);
	}
	if (n < 0 || (size_t)n >= pathlen)
		return errorf(err, errlen, "state file path too long");
	return 0;
}

void history_claim(struct history *h, const char *key, const char *legacy_key)
{
	if (h->key[0] && strcmp(h->key, key) != 0 &&
	    !(legacy_key && strcmp(h->key, legacy_key) == 0)) {
		history_free(h);
		h->foreign = true;
		copy_str(h->note, sizeof h->note,
			 "the state file belongs to another check (other host, port or "
			 "process); a new history starts");
	}
	copy_str(h->key, sizeof h->key, key);
}

/* How to give the checks a directory no other user can take. */
#define FIX_HINT "create " STATE_SYSTEM_DIR " owned by this user (mode 0700), or set " \
		 "--state-dir or MP_STATE_PATH to a directory of its own"

int history_prepare_dir(const char *path, unsigned euid, char *err, size_t errlen)
{
	return safefile_prepare_dir(path, euid, FIX_HINT, err, errlen);
}
