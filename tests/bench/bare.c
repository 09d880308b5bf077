/*
 * tests/bench/bare.c - the floor for one full check: a bare libnetsnmp
 * client doing what the plugin's first check does over the wire and
 * nothing else (no thresholds, no history, no output beyond one line).
 *
 *     bare HOST:PORT COMMUNITY NAME
 *
 * Sets the library up as plugin/snmp.c does (no MIB files, no
 * configuration or persistent files), walks hrSWRunName with GETBULK
 * (max-repetitions 50), then GETs the rows named NAME (any case):
 * hrSWRunPerfMem, hrSWRunPerfCPU, hrSWRunStatus, hrSWRunPath, plus
 * hrMemorySize and hrSystemUptime, in one request.  Prints the matched
 * rows and the summed memory; exit 0 when something matched, 1 when not,
 * 2 on an SNMP error.  v2c only: it is a benchmark's floor, not a tool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define MAX_MATCH 16

static const oid run_name[] = { 1, 3, 6, 1, 2, 1, 25, 4, 2, 1, 2 };
#define COL_LEN 11

static netsnmp_pdu *ask(void *sess, netsnmp_pdu *req)
{
	netsnmp_pdu *resp = NULL;

	if (snmp_sess_synch_response(sess, req, &resp) != STAT_SUCCESS || !resp ||
	    resp->errstat != SNMP_ERR_NOERROR) {
		if (resp)
			snmp_free_pdu(resp);
		return NULL;
	}
	return resp;
}

int main(int argc, char **argv)
{
	netsnmp_session s, *sp;
	void *sess;
	oid cur[MAX_OID_LEN];
	size_t cur_len = COL_LEN, nmatch = 0, i, rows = 0;
	long match[MAX_MATCH];
	int done = 0, rc = 2;

	if (argc != 4) {
		fprintf(stderr, "usage: bare HOST:PORT COMMUNITY NAME\n");
		return 2;
	}
	setenv("MIBS", "", 1);
	setenv("MIBDIRS", "", 1);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR,
			      "/dev/null/bare");
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	init_snmp("bare");

	snmp_sess_init(&s);
	s.peername = argv[1];
	s.version = SNMP_VERSION_2c;
	s.community = (u_char *)argv[2];
	s.community_len = strlen(argv[2]);
	s.timeout = 2000000;
	s.retries = 1;
	sess = snmp_sess_open(&s);
	if (!sess) {
		fprintf(stderr, "bare: cannot open a session\n");
		goto out;
	}
	sp = snmp_sess_session(sess);
	(void)sp;

	memcpy(cur, run_name, sizeof run_name);
	while (!done) {
		netsnmp_pdu *req = snmp_pdu_create(SNMP_MSG_GETBULK), *resp;
		netsnmp_variable_list *vb;

		req->non_repeaters = 0;
		req->max_repetitions = 50;
		snmp_add_null_var(req, cur, cur_len);
		resp = ask(sess, req);
		if (!resp || !resp->variables) {
			fprintf(stderr, "bare: walk failed\n");
			if (resp)
				snmp_free_pdu(resp);
			goto close;
		}
		for (vb = resp->variables; vb; vb = vb->next_variable) {
			if (vb->type == SNMP_ENDOFMIBVIEW || vb->type != ASN_OCTET_STR ||
			    vb->name_length != COL_LEN + 1 ||
			    snmp_oidtree_compare(run_name, COL_LEN, vb->name, vb->name_length) != 0 ||
			    snmp_oid_compare(vb->name, vb->name_length, cur, cur_len) <= 0) {
				done = 1;
				break;
			}
			rows++;
			if (vb->val_len == strlen(argv[3]) &&
			    strncasecmp((const char *)vb->val.string, argv[3], vb->val_len) == 0 &&
			    nmatch < MAX_MATCH)
				match[nmatch++] = (long)vb->name[COL_LEN];
			memcpy(cur, vb->name, vb->name_length * sizeof(oid));
			cur_len = vb->name_length;
		}
		snmp_free_pdu(resp);
	}

	{
		static const oid scalars[2][10] = {
			{ 1, 3, 6, 1, 2, 1, 25, 1, 1, 0 },	/* hrSystemUptime */
			{ 1, 3, 6, 1, 2, 1, 25, 2, 2, 0 },	/* hrMemorySize */
		};
		static const oid cols[4][COL_LEN] = {
			{ 1, 3, 6, 1, 2, 1, 25, 5, 1, 1, 2 },	/* hrSWRunPerfMem */
			{ 1, 3, 6, 1, 2, 1, 25, 5, 1, 1, 1 },	/* hrSWRunPerfCPU */
			{ 1, 3, 6, 1, 2, 1, 25, 4, 2, 1, 7 },	/* hrSWRunStatus */
			{ 1, 3, 6, 1, 2, 1, 25, 4, 2, 1, 4 },	/* hrSWRunPath */
		};
		netsnmp_pdu *req = snmp_pdu_create(SNMP_MSG_GET), *resp;
		netsnmp_variable_list *vb;
		long mem = 0;
		size_t k;

		for (k = 0; k < 2; k++)
			snmp_add_null_var(req, scalars[k], 10);
		for (i = 0; i < nmatch; i++)
			for (k = 0; k < 4; k++) {
				oid o[COL_LEN + 1];

				memcpy(o, cols[k], sizeof cols[k]);
				o[COL_LEN] = (oid)match[i];
				snmp_add_null_var(req, o, COL_LEN + 1);
			}
		resp = ask(sess, req);
		if (!resp) {
			fprintf(stderr, "bare: GET failed\n");
			goto close;
		}
		for (vb = resp->variables, k = 0; vb; vb = vb->next_variable, k++)
			if (k >= 2 && (k - 2) % 4 == 0 && vb->type == ASN_INTEGER)
				mem += *vb->val.integer;
		snmp_free_pdu(resp);
		printf("%zu rows, %zu matched, %ld KB\n", rows, nmatch, mem);
		rc = nmatch ? 0 : 1;
	}
close:
	snmp_sess_close(sess);
out:
	snmp_shutdown("bare");
	return rc;
}
