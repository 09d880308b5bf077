/*
 * proc.c - matching hrSWRunTable rows and adding them up (see proc.h).
 */
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int compile(regex_t *re, const char *what, const char *expr, char *err, size_t errlen)
{
	int rc = regcomp(re, expr, REG_EXTENDED | REG_ICASE | REG_NOSUB);

	if (rc != 0) {
		char msg[128];

		regerror(rc, re, msg, sizeof msg);
		return errorf(err, errlen, "%s '%s' is not a valid extended regex: %s",
			      what, expr, msg);
	}
	return 0;
}

int proc_match_init(struct proc_match *m, const char *name, const char *regex,
		    const char *path, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (regex && regex[0]) {
		if (compile(&m->name_re, "--regex", regex, err, errlen) != 0)
			return -1;
		m->use_regex = true;
		copy_str(m->name, sizeof m->name, regex);
	} else if (!name || !name[0]) {
		return errorf(err, errlen, "no process name given");
	} else if (copy_str(m->name, sizeof m->name, name) != 0) {
		return errorf(err, errlen, "process name '%.20s...' is longer than the %d"
			      " characters of hrSWRunName", name, HR_NAME_MAX);
	}
	if (path && path[0]) {
		if (compile(&m->path_re, "--path", path, err, errlen) != 0)
			return -1;
		m->use_path = true;
	}
	return 0;
}

void proc_match_release(struct proc_match *m)
{
	if (m->use_regex)
		regfree(&m->name_re);
	if (m->use_path)
		regfree(&m->path_re);
	m->use_regex = m->use_path = false;
}

bool proc_match_row(const struct proc_match *m, const char *name, const char *path)
{
	bool hit = m->use_regex ? regexec(&m->name_re, name, 0, NULL, 0) == 0
				: ascii_casecmp(m->name, name) == 0;

	if (!hit || !m->use_path)
		return hit;
	return path && regexec(&m->path_re, path, 0, NULL, 0) == 0;
}

bool proc_match_cb(const char *name, const char *path, void *ud)
{
	return proc_match_row(ud, name, path);
}

const char *proc_match_describe(const struct proc_match *m, char *buf, size_t len)
{
	/* A regex is not a process name: show it as one, but keep the output short. */
	if (m->use_regex)
		snprintf(buf, len, "/%s/", m->name);
	else
		snprintf(buf, len, "%s", m->name);
	return buf;
}

/* hrSWRunStatus in words. */
static const char *status_name(int status)
{
	switch (status) {
	case 1: return "running";
	case 2: return "runnable";
	case 3: return "notRunnable";
	case 4: return "invalid";
	default: return "unknown status";
	}
}

int proc_total(const struct hr_snapshot *snap, struct proc_total *t)
{
	memset(t, 0, sizeof *t);
	t->has_cpu = true;
	t->host_mem_bytes = snap->mem_size_kb > 0 ? (double)snap->mem_size_kb * 1024.0 : 0;
	if (snap->n > 0 && !(t->rows = calloc(snap->n, sizeof *t->rows)))
		return -1;
	for (size_t i = 0; i < snap->n; i++) {
		const struct hr_proc *p = &snap->procs[i];
		struct result_instance *r = &t->rows[t->n_rows++];

		r->index = p->index;
		r->name = p->name;
		r->path = p->path;
		r->status = status_name(p->status);
		r->mem_bytes = (double)p->mem_kb * 1024.0;	/* hrSWRunPerfMem is KB */
		r->has_cpu = p->has_cpu;
		r->cpu_s = (double)p->cpu_cs / 100.0;
		if (p->status == 4)
			continue;
		t->instances++;
		t->mem_bytes += r->mem_bytes;
		t->cpu_cs += p->cpu_cs;
		if (!p->has_cpu)
			t->has_cpu = false;
	}
	if (t->instances == 0)
		t->has_cpu = false;
	return 0;
}

void proc_total_release(struct proc_total *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n_rows = 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int proc_index_list(const struct hr_snapshot *snap, char *buf, size_t len)
{
	long idx[256];
	size_t n = 0, used = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < snap->n && n < sizeof idx / sizeof idx[0]; i++)
		if (snap->procs[i].status != 4)
			idx[n++] = snap->procs[i].index;
	qsort(idx, n, sizeof idx[0], cmp_long);
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%ld", i ? "," : "", idx[i]);

		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0';
			return -1;
		}
		used += (size_t)w;
	}
	return 0;
}
