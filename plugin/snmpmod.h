/*
 * snmpmod.h - the boundary between the plugin and its SNMP module.
 *
 * Windows 2000's agent speaks v1 and v2c: the plugin sends those requests
 * itself, over UDP (plugin/udpget.c).  SNMPv3, TCP and --print-keys are
 * Net-SNMP's work, in plugin/snmp.c and plugin/usmcrypto.c, built as a
 * module of their own, check_async_leak-snmp.so, that plugin/snmpload.c
 * loads (dlopen) only when a check needs it.  Why: the dynamic loader
 * binds every symbol of libnetsnmp, libssl and libcrypto at start-up
 * (Debian builds them with BIND_NOW), 4.2 M of the 4.7 M instructions of
 * a repeat check that links them; a check that does not load them starts
 * in a fraction of that.  (Loaded with dlopen they cost 1.6 M more than
 * linked in: their lookups search the plugin's scope first; see
 * docs/performance.md.)
 *
 * The module lives beside the executable (the directory of
 * /proc/self/exe, so a symbolic link to the plugin works), as `make
 * install` puts it; a module of another build is refused by version.
 * The module calls back only the plugin functions named in the build's
 * dynamic list (the Makefile makes it from what the module's objects
 * leave undefined), so nothing else of the plugin can interpose a
 * library's symbols.
 */
#ifndef ASYNC_LEAK_SNMPMOD_H
#define ASYNC_LEAK_SNMPMOD_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "snmp.h"

#define SNMP_MODULE_FILE "check_async_leak-snmp.so"
#define SNMP_MODULE_SYMBOL "check_async_leak_snmp_module"

struct snmp_module {
	const char *version;		/* VERSION of its build: must be ours */
	size_t size;			/* sizeof (struct snmp_module) */
	/* snmp_query_repeat and snmp_print_keys (snmp.h), over Net-SNMP; the
	 * query's budget ends at deadline (CLOCK_MONOTONIC). */
	int (*query_repeat)(const struct config *cfg, const struct timespec *deadline,
			    const struct snmp_repeat *rep, snmp_match_fn match, void *ud,
			    bool need_path, struct hr_snapshot *out, char *err, size_t errlen);
	int (*print_keys)(const struct config *cfg, FILE *out, char *err, size_t errlen);
};

/*
 * The plugin's side, for the module too: resolves cfg's agent to its
 * numeric Net-SNMP peer name in buf ("udp:192.0.2.7:161",
 * "udp6:[::1]:161", "tcp:..."), and the address as the user wrote it with
 * the port in shown, for messages ("[::1]:161").  Returns 0, or -1 with
 * one sentence in err ("cannot resolve host 'x'", two ports).
 */
int snmp_peer_name(const struct config *cfg, char *buf, size_t len, char *shown,
		   size_t shownlen, char *err, size_t errlen);

#endif
