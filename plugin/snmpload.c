/*
 * snmpload.c - snmp.h's functions on the plugin's side: the agent's
 * address resolved, a check over v1/v2c and UDP made by the plugin itself
 * (plugin/udpget.c), and everything else - SNMPv3, TCP, --print-keys, and
 * any check with CHECK_ASYNC_LEAK_NET_SNMP=1 - handed to the SNMP module,
 * check_async_leak-snmp.so, loaded here on first need (see snmpmod.h).
 *
 * A module that cannot be loaded (missing, of another build, unreadable)
 * is one sentence for an UNKNOWN line naming its path; the library's own
 * reason (dlerror) follows it, as it names files and symbols, never
 * secrets.
 */
#include "snmp.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "snmpmod.h"
#include "udpget.h"
#include "util.h"

/*
 * The port to use: the one in the address unless --port was given with
 * another value.
 */
static int pick_port(const struct config *cfg, const struct address *a, unsigned *port,
		     char *err, size_t errlen)
{
	bool port_set = cfg->origin[OPT_PORT] != ORIGIN_DEFAULT;

	*port = cfg->port;
	if (a->port == 0)
		return 0;
	if (port_set && a->port != cfg->port)
		return errorf(err, errlen, "two ports: %u in the address '%s' and --port %u",
			      a->port, cfg->hostname, cfg->port);
	*port = a->port;
	return 0;
}

/*
 * Resolves the host: its address (IPv4 first for a name with both, like
 * snmpget), its numeric Net-SNMP peer name ("udp:1.2.3.4:161",
 * "udp6:[::1]:161", "tcp:..."), and the address as the user wrote it with
 * the port, for messages ("[::1]:161").
 */
static int lookup(const struct config *cfg, struct agent_peer *p, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai, *pick = NULL;
	struct address a;
	char addr[INET6_ADDRSTRLEN];
	unsigned port;
	int n;

	memset(p, 0, sizeof *p);
	if (address_parse(cfg->hostname, &a, err, errlen) < 0 ||
	    pick_port(cfg, &a, &port, err, errlen) < 0)
		return -1;
	p->tcp = a.tcp;
	n = snprintf(p->shown, sizeof p->shown,
		     strchr(a.host, ':') ? "%s%s[%s]:%u" : "%s%s%s:%u",
		     a.transport_given ? address_transport(&a, a.family == ADDR_ANY ?
							   ADDR_IPV4 : a.family) : "",
		     a.transport_given ? ":" : "", a.host, port);
	if (n < 0 || (size_t)n >= sizeof p->shown)
		return errorf(err, errlen, "the host name is too long");
	memset(&hints, 0, sizeof hints);
	hints.ai_family = a.family == ADDR_IPV4 ? AF_INET : a.family == ADDR_IPV6 ? AF_INET6
										  : AF_UNSPEC;
	hints.ai_socktype = a.tcp ? SOCK_STREAM : SOCK_DGRAM;
	if (getaddrinfo(a.host, NULL, &hints, &res) != 0 || !res)
		return errorf(err, errlen, "cannot resolve host '%s'%s", a.host,
			      a.family == ADDR_IPV4 ? " (as IPv4)" :
			      a.family == ADDR_IPV6 ? " (as IPv6)" : "");
	for (ai = res; ai && !pick; ai = ai->ai_next)	/* IPv4 first, like snmpget */
		if (ai->ai_family == AF_INET)
			pick = ai;
	for (ai = res; ai && !pick; ai = ai->ai_next)
		if (ai->ai_family == AF_INET6)
			pick = ai;
	if (!pick || pick->ai_addrlen > sizeof p->sa) {
		freeaddrinfo(res);
		return errorf(err, errlen, "cannot resolve host '%s'", a.host);
	}
	memcpy(&p->sa, pick->ai_addr, pick->ai_addrlen);
	p->salen = pick->ai_addrlen;
	if (pick->ai_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)&p->sa;

		s4->sin_port = htons((uint16_t)port);
		inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof addr);
		n = snprintf(p->name, sizeof p->name, "%s:%s:%u", address_transport(&a, ADDR_IPV4),
			     addr, port);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)&p->sa;

		s6->sin6_port = htons((uint16_t)port);
		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof addr);
		if (s6->sin6_scope_id != 0)	/* fe80::1%eth0: keep the interface */
			n = snprintf(p->name, sizeof p->name, "%s:[%s%%%u]:%u",
				     address_transport(&a, ADDR_IPV6), addr,
				     (unsigned)s6->sin6_scope_id, port);
		else
			n = snprintf(p->name, sizeof p->name, "%s:[%s]:%u",
				     address_transport(&a, ADDR_IPV6), addr, port);
	}
	freeaddrinfo(res);
	if (n < 0 || (size_t)n >= sizeof p->name)
		return errorf(err, errlen, "cannot resolve host '%s'", a.host);
	return 0;
}

/*
 * lookup() once per process for the same address: a check resolves the
 * agent to name its history before the query and again for the query
 * (and the module for its session); one answer serves all, so a name with
 * several addresses cannot give the history one and the query another.
 */
static int resolve(const struct config *cfg, struct agent_peer *p, char *err, size_t errlen)
{
	static struct agent_peer last;
	static char host[sizeof cfg->hostname];
	static unsigned port;
	static bool port_set, known;
	bool set = cfg->origin[OPT_PORT] != ORIGIN_DEFAULT;

	if (known && strcmp(host, cfg->hostname) == 0 && port == cfg->port && port_set == set) {
		*p = last;
		return 0;
	}
	if (lookup(cfg, p, err, errlen) < 0)
		return -1;
	last = *p;
	copy_str(host, sizeof host, cfg->hostname);
	port = cfg->port;
	port_set = set;
	known = true;
	return 0;
}

int snmp_peer_name(const struct config *cfg, char *buf, size_t len, char *shown,
		   size_t shownlen, char *err, size_t errlen)
{
	struct agent_peer p;

	if (resolve(cfg, &p, err, errlen) < 0)
		return -1;
	if (copy_str(buf, len, p.name) < 0 || copy_str(shown, shownlen, p.shown) < 0)
		return errorf(err, errlen, "the host name is too long");
	return 0;
}

int snmp_resolve(const struct config *cfg, char *buf, size_t len, char *err, size_t errlen)
{
	char shown[300];

	return snmp_peer_name(cfg, buf, len, shown, sizeof shown, err, errlen);
}

/*
 * The module beside the executable: in the directory of /proc/self/exe
 * (a link to the plugin is followed to the plugin).
 */
static int module_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;
	int k;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	k = snprintf(buf, len, "%s/%s", exe, SNMP_MODULE_FILE);
	return k > 0 && (size_t)k < len ? 0 : -1;
}

/* The loaded module, or NULL with one sentence in err. */
static const struct snmp_module *module(char *err, size_t errlen)
{
	static const struct snmp_module *mod;
	char path[PATH_MAX + 64];
	void *h;
	const struct snmp_module *m;

	if (mod)
		return mod;
	if (module_path(path, sizeof path) < 0) {
		errorf(err, errlen, "cannot find the plugin's own directory (/proc/self/exe)"
		       " to load its SNMP module " SNMP_MODULE_FILE);
		return NULL;
	}
	/* Never unloaded: the process ends after one check. */
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();

		errorf(err, errlen, "cannot load the SNMP module %s: %s", path,
		       why ? why : "unknown error");
		return NULL;
	}
	m = dlsym(h, SNMP_MODULE_SYMBOL);
	if (!m || m->size != sizeof *m || !m->version || strcmp(m->version, VERSION) != 0) {
		errorf(err, errlen, "the SNMP module %s is not of this build of the plugin"
		       " (version %s; reinstall both)", path, VERSION);
		return NULL;
	}
	mod = m;
	return mod;
}

/*
 * CHECK_ASYNC_LEAK_NET_SNMP=1: every request through Net-SNMP, v1/v2c too
 * (for an agent that answers Net-SNMP but not the plugin's own requests,
 * and to compare the two).
 */
static bool net_snmp_only(void)
{
	const char *v = getenv("CHECK_ASYNC_LEAK_NET_SNMP");

	return v && strcmp(v, "1") == 0;
}

int snmp_query(const struct config *cfg, snmp_match_fn match, void *ud,
	       bool need_path, struct hr_snapshot *out,
	       char *err, size_t errlen)
{
	return snmp_query_repeat(cfg, NULL, match, ud, need_path, out, err, errlen);
}

int snmp_query_repeat(const struct config *cfg, const struct snmp_repeat *rep,
		      snmp_match_fn match, void *ud, bool need_path,
		      struct hr_snapshot *out, char *err, size_t errlen)
{
	const struct snmp_module *m;
	struct timespec deadline;
	struct agent_peer peer;

	memset(out, 0, sizeof *out);
	out->mem_size_kb = -1;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += cfg->timeout_s;

	if (cfg->protocol != SNMPV_3 && !net_snmp_only()) {
		if (resolve(cfg, &peer, err, errlen) < 0)
			return -1;
		if (!peer.tcp)
			return udpget_query(cfg, &peer, &deadline, rep, match, ud, need_path, out,
					    err, errlen);
	}
	m = module(err, errlen);
	if (!m)
		return -1;
	return m->query_repeat(cfg, &deadline, rep, match, ud, need_path, out, err, errlen);
}

int snmp_print_keys(const struct config *cfg, FILE *out, char *err, size_t errlen)
{
	const struct snmp_module *m = module(err, errlen);

	return m ? m->print_keys(cfg, out, err, errlen) : -1;
}
