/*
 * snmp.c - one check's SNMP exchange with the agent over Net-SNMP (see
 * snmp.h), built with plugin/usmcrypto.c into the plugin's SNMP module,
 * check_async_leak-snmp.so, which plugin/snmpload.c loads when a check
 * needs Net-SNMP (see snmpmod.h): SNMPv3, TCP, --print-keys, and v1/v2c
 * with CHECK_ASYNC_LEAK_NET_SNMP=1.
 *
 * The library is set up for a short-lived process (one check): no
 * MIB files, no configuration files, no persistent state, its log routed
 * through a callback that only -vvv lets through.  The whole exchange runs
 * against one monotonic deadline, cfg->timeout_s after the start: every
 * request gets what is left of it, split over its tries.
 */
#include "snmp.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "hrget.h"
#include "hrquery.h"
#include "snmpmod.h"
#include "usmcrypto.h"
#include "util.h"
#include "walk.h"

/* A key of the config fits the session's key buffers. */
_Static_assert(CONFIG_KEY_MAX <= USM_AUTH_KU_LEN && CONFIG_KEY_MAX <= USM_PRIV_KU_LEN,
	       "SNMPv3 keys longer than Net-SNMP's buffers");

/* plugin/walk.c reads Net-SNMP's types and error codes as the BER tags and
 * RFC 3416 numbers they are. */
_Static_assert(ASN_OCTET_STR == WALK_T_OCTET_STR && ASN_INTEGER == WALK_T_INTEGER &&
	       SNMP_ENDOFMIBVIEW == WALK_T_ENDOFMIBVIEW &&
	       SNMP_NOSUCHOBJECT == WALK_T_NOSUCHOBJECT &&
	       SNMP_NOSUCHINSTANCE == WALK_T_NOSUCHINSTANCE &&
	       ASN_TIMETICKS == WALK_T_TIMETICKS && ASN_COUNTER64 == WALK_T_COUNTER64 &&
	       SNMP_ERR_TOOBIG == WALK_ERR_TOOBIG && SNMP_ERR_NOSUCHNAME == WALK_ERR_NOSUCHNAME &&
	       SNMP_ERR_AUTHORIZATIONERROR == WALK_ERR_AUTHORIZATIONERROR, "BER tags and error status numbers");

struct ctx {
	const struct config *cfg;
	void *sessp;
	char peer[300];			/* "[TRANSPORT:]HOST:PORT" as the user wrote it */
	struct timespec deadline;	/* CLOCK_MONOTONIC */
	unsigned requests;
	bool answered;			/* the agent has answered something */
	char *err;
	size_t errlen;
	netsnmp_pdu *last;		/* the last answer, netsnmp_send's */
	struct walk_varbind *vbs;	/* its varbinds decoded */
	size_t vbs_cap;
};

/* State the library's log callback needs; lives until snmp_shutdown. */
struct log_ctx {
	int verbose;
};

/* Spreads what is left of the budget over the tries of the next request. */
static int set_try_timeout(struct ctx *c, netsnmp_session *s)
{
	long long try_us = 0;
	int tries = hrq_tries(&c->deadline, &try_us);

	if (tries == 0)
		return -1;
	s->retries = tries - 1;
	s->timeout = (long)try_us;
	return 0;
}

static int log_cb(int major, int minor, void *server_arg, void *client_arg)
{
	const struct snmp_log_message *m = server_arg;
	const struct log_ctx *lc = client_arg;

	(void)major;
	(void)minor;
	if (lc->verbose >= 3 && m && m->msg && m->priority <= LOG_WARNING)
		fprintf(stderr, "snmp: library: %s%s", m->msg,
			m->msg[0] && m->msg[strlen(m->msg) - 1] == '\n' ? "" : "\n");
	return SNMPERR_SUCCESS;
}

/*
 * init_snmp looks for <persistent dir>/cert_indexes and creates it when it
 * can, even with every persistence switch off (as root the default dir is
 * /var/lib/snmp).  The plugin no longer calls init_snmp (see
 * init_snmpv3_only), but the directory stays one that can never be created,
 * for whatever else in the library might look there: below /dev/null the
 * library finds nothing, writes nothing, and says nothing (checked with
 * strace and at -vvv); no directory of ours to create, secure or clean up.
 */
#define PERSISTENT_DIR "/dev/null/check_async_leak"

/*
 * v1 and v2c need none of init_snmp: snmp_sess_init() does the minimal
 * set-up (transports, request ids) itself, and init_snmp's costly part is
 * SNMPv3's (OpenSSL's random generator seeded for the engine id and the
 * USM salts: half of a whole repeat check's instructions, measured with
 * callgrind), plus setlocale() and the configuration machinery we switch
 * off anyway.  So SNMPv3's part of it runs only for SNMPv3.
 */
/*
 * And of init_snmp SNMPv3 needs only init_snmpv3 (the USM, the engine id
 * and time, and the callbacks that make the engine id and seed the salts
 * from RAND_bytes) and the two rounds of configuration callbacks that fire
 * those (no file is read: DONT_READ_CONFIGS).  The rest (setlocale, the
 * MIB tree, VACM, the TLS certificates, the configuration tokens of
 * logging, debugging, transports, alarms and enums) is for configuration
 * files and agents, and v1/v2c run with none of it: 0.4 M instructions of
 * a check with keys, 6.4 M -> 6.0 M without AES (callgrind), and no more
 * looking for TLS certificates in four directories (23 file system calls
 * fewer, strace).  The steps are init_snmp's own, in its order (Net-SNMP
 * 5.9.3 snmplib/snmp_api.c).
 */
static void init_snmpv3_only(const char *type)
{
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_APPTYPE, type);
	init_snmpv3(type);
	read_premib_configs();
	read_configs();
}

static void library_init(struct log_ctx *lc, bool v3)
{
	/* Environment for the MIB code, which reads nothing else. */
	setenv("MIBS", "", 1);
	setenv("MIBDIRS", "", 1);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR,
			      PERSISTENT_DIR);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);

	/* Our handler first, so the library never falls back to stderr. */
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_WARNING);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_cb, lc);
	if (v3) {
		usmcrypto_init();
		init_snmpv3_only("check_async_leak");
	}
}


/* What the user gave for a secret, for hints ("privacy passphrase"). */
static const char *secret_word(enum key_source src)
{
	return src == KEY_MASTER ? "master key" : src == KEY_LOCALIZED ?
	       "localized key" : "passphrase";
}

/*
 * The USM failures, each reported by Net-SNMP under two codes (the one its
 * own checks raise and the one of the agent's report PDU), and what to say.
 * A hint names the secret to check: the authentication one or the privacy
 * one, as the user gave it (passphrase, master or localized key).
 */
enum secret_hint { HINT_NONE, HINT_AUTH, HINT_PRIV };

static const struct usm_error {
	int code, report_code;
	const char *what;
	enum secret_hint hint;
} usm_errors[] = {
	{ SNMPERR_UNKNOWN_USER_NAME, SNMPERR_USM_UNKNOWNSECURITYNAME,
	  "unknown user name", HINT_NONE },
	{ SNMPERR_AUTHENTICATION_FAILURE, SNMPERR_USM_AUTHENTICATIONFAILURE,
	  "wrong digest", HINT_AUTH },
	{ SNMPERR_DECRYPTION_ERR, SNMPERR_USM_DECRYPTIONERROR,
	  "decryption error", HINT_PRIV },
	{ SNMPERR_UNKNOWN_ENG_ID, SNMPERR_USM_UNKNOWNENGINEID,
	  "unknown engine id", HINT_NONE },
	{ SNMPERR_NOT_IN_TIME_WINDOW, SNMPERR_USM_NOTINTIMEWINDOW,
	  "not in time window", HINT_NONE },
	{ SNMPERR_UNSUPPORTED_SEC_LEVEL, SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL,
	  "the user does not support this security level (seclevel?)", HINT_NONE },
};

/* "authentication failure: ..." for a USM error code; 1 when code is one. */
static int usm_error(struct ctx *c, int code)
{
	const struct usm_error *e = NULL;

	for (size_t i = 0; i < sizeof usm_errors / sizeof usm_errors[0] && !e; i++)
		if (usm_errors[i].code == code || usm_errors[i].report_code == code)
			e = &usm_errors[i];
	if (!e)
		return 0;
	if (e->hint == HINT_NONE)
		errorf(c->err, c->errlen, "authentication failure: %s", e->what);
	else
		errorf(c->err, c->errlen, "authentication failure: %s (%s %s or protocol?)",
		       e->what, e->hint == HINT_AUTH ? "authentication" : "privacy",
		       secret_word(e->hint == HINT_AUTH ? config_auth_source(c->cfg) :
				   config_priv_source(c->cfg)));
	return 1;
}

/* Turns the session's last error into one sentence (never a secret). */
static int session_error(struct ctx *c, int code)
{
	if (code == SNMPERR_TIMEOUT) {
		/* An agent that answered the engine discovery but not the
		 * encrypted request could not decrypt it (agents drop such
		 * messages without a report), or the link is slower than -t:
		 * from here both are a timeout, so say that first. */
		if (c->answered && c->cfg->protocol == SNMPV_3 &&
		    config_seclevel(c->cfg) == SECLEVEL_AUTHPRIV)
			return errorf(c->err, c->errlen, "timeout: no response from %s after %u"
				      " s to an encrypted request, although the agent answered"
				      " the engine discovery (a slow link? raise -t; else privacy"
				      " %s or protocol?)", c->peer, c->cfg->timeout_s,
				      secret_word(config_priv_source(c->cfg)));
		return hrq_no_answer(c->err, c->errlen, c->peer, c->cfg->timeout_s, false,
				     c->cfg->protocol == SNMPV_3);
	}
	if (usm_error(c, code))
		return -1;
	return errorf(c->err, c->errlen, "snmp error talking to %s: %s", c->peer,
		      snmp_api_errstring(code));
}

/*
 * Datagrams received from the agent, counted below the library: a reply
 * the library cannot decode is dropped there, and the request then times
 * out as if nothing had come back.
 */
static unsigned datagrams_in;
static int (*transport_recv)(struct netsnmp_transport_s *, void *, int, void **, int *);

static int counting_recv(struct netsnmp_transport_s *t, void *buf, int size, void **opaque,
			 int *olen)
{
	int n = transport_recv(t, buf, size, opaque, olen);

	if (n > 0)
		datagrams_in++;
	return n;
}

/* Sends req (always consumed); on success *resp is a response to free. */
static int request(struct ctx *c, netsnmp_pdu *req, netsnmp_pdu **resp)
{
	netsnmp_session *s = snmp_sess_session(c->sessp);
	double t0 = hrq_now_ms();
	int status, liberr = 0, syserr = 0;
	unsigned seen;
	bool had_engine;
	char *msg = NULL;

	*resp = NULL;
	if (set_try_timeout(c, s) < 0) {
		snmp_free_pdu(req);
		return session_error(c, SNMPERR_TIMEOUT);
	}
	c->requests++;
	if (c->cfg->verbose >= 3)
		hrq_trace_sent(stderr, c->requests, req->command == SNMP_MSG_GETBULK ?
			       BER_PDU_GETBULK : req->command == SNMP_MSG_GETNEXT ?
			       BER_PDU_GETNEXT : BER_PDU_GET, count_varbinds(req->variables),
			       req->max_repetitions, s->timeout, s->retries + 1);
	/* With v3 the first request starts with an engine id discovery
	 * exchange (inside the library); count it, and remember that the
	 * agent answered it. */
	had_engine = s->securityEngineIDLen > 0;
	seen = datagrams_in;
	status = snmp_sess_synch_response(c->sessp, req, resp);
	if (c->cfg->protocol == SNMPV_3 && !had_engine && s->securityEngineIDLen > 0) {
		c->requests++;
		c->answered = true;
	}
	if (c->cfg->verbose >= 3)
		hrq_trace_done(stderr, c->requests, status == STAT_SUCCESS ? "answered" :
			       status == STAT_TIMEOUT ? "timed out" : "failed", hrq_now_ms() - t0,
			       *resp ? count_varbinds((*resp)->variables) : 0);
	if (status == STAT_SUCCESS && *resp) {
		c->answered = true;
		return 0;
	}
	if (*resp) {
		snmp_free_pdu(*resp);
		*resp = NULL;
	}
	/* Replies came but none could be decoded: not "no response". */
	if (c->cfg->protocol == SNMPV_3 && !had_engine && s->securityEngineIDLen > 0)
		seen++;		/* the engine discovery's reply, which was fine */
	if (status == STAT_TIMEOUT && datagrams_in > seen)
		return hrq_no_answer(c->err, c->errlen, c->peer, c->cfg->timeout_s, true,
				     c->cfg->protocol == SNMPV_3);
	if (status == STAT_TIMEOUT)
		return session_error(c, SNMPERR_TIMEOUT);
	snmp_sess_error(c->sessp, &syserr, &liberr, &msg);
	free(msg);
	return session_error(c, liberr ? liberr : SNMPERR_GENERR);
}

/*
 * Decodes a response's varbinds for the walk module (plugin/walk.c), which
 * decides what they mean.  vbs has room for count_varbinds(resp) entries.
 */
static int decode_answer(struct ctx *c, const netsnmp_pdu *resp, struct walk_varbind *vbs,
			 size_t cap, struct walk_answer *a)
{
	const netsnmp_variable_list *vb;
	size_t n = 0, k;

	memset(a, 0, sizeof *a);
	a->errstat = resp->errstat;
	a->errindex = resp->errindex;
	for (vb = resp->variables; vb && n < cap; vb = vb->next_variable, n++) {
		struct walk_varbind *d = &vbs[n];

		memset(d, 0, sizeof *d);
		if (vb->name_length > WALK_OID_MAX)
			return errorf(c->err, c->errlen, "the agent at %s sent an OID of %zu "
				      "sub-identifiers", c->peer, vb->name_length);
		for (k = 0; k < vb->name_length; k++) {
			if (vb->name[k] > UINT32_MAX)
				return errorf(c->err, c->errlen, "the agent at %s sent an OID "
					      "sub-identifier beyond 4294967295", c->peer);
			d->oid[k] = (uint32_t)vb->name[k];
		}
		d->oid_len = vb->name_length;
		d->type = vb->type;
		if (vb->type == ASN_OCTET_STR) {
			d->str = vb->val.string;
			d->str_len = vb->val_len;
		} else if (vb->val.integer && vb->val_len >= sizeof(long) &&
			   (vb->type == ASN_INTEGER || vb->type == ASN_COUNTER ||
			    vb->type == ASN_GAUGE || vb->type == ASN_TIMETICKS)) {
			d->integer = *vb->val.integer;
		}
	}
	a->vb = vbs;
	a->n = n;
	return 0;
}

/* Adds an item's object, with a NULL value, to a request. */
static void add_item(netsnmp_pdu *req, const struct hrget_item *it)
{
	oid name[HRGET_COLUMN_LEN + 1];

	for (size_t k = 0; k < it->oid_len; k++)
		name[k] = it->oid[k];
	snmp_add_null_var(req, name, it->oid_len);
}

/*
 * Derives a v3 key (Ku) from a passphrase with the session's authentication
 * hash, as RFC 3414 and RFC 3826 want for both keys.  what names the key
 * in messages; the passphrase never appears in them.
 */
static int derive_key(struct ctx *c, const struct snmp_session *s, const char *pass,
		      const char *what, u_char *key, size_t *keylen)
{
	if (strlen(pass) < 8)
		return errorf(c->err, c->errlen, "the %s passphrase must have at least "
			      "8 characters", what);
	if (generate_Ku(s->securityAuthProto, (u_int)s->securityAuthProtoLen,
			(const u_char *)pass, strlen(pass), key, keylen) != SNMPERR_SUCCESS)
		return errorf(c->err, c->errlen, "cannot derive a key from the %s "
			      "passphrase", what);
	return 0;
}

/*
 * Gives the session one key the way the user gave it: a passphrase is
 * hashed into the master key (the one costly step, skipped with keys); a
 * master key is copied, and the library localizes it to the engine ID it
 * discovers (two short hashes); a localized key is handed over as it is
 * (the library copies it when it creates the user, at the first request).
 * ku holds USM_AUTH_KU_LEN = USM_PRIV_KU_LEN bytes.
 */
static int set_key(struct ctx *c, const struct snmp_session *s, enum key_source src,
		   const char *pass, const struct config_key *master,
		   const struct config_key *local, const char *what,
		   u_char *ku, size_t *kulen, u_char **kul, size_t *kullen)
{
	switch (src) {
	case KEY_MASTER:
		memcpy(ku, master->bytes, master->len);
		*kulen = master->len;
		return 0;
	case KEY_LOCALIZED:
		*kul = (u_char *)local->bytes;
		*kullen = local->len;
		return 0;
	case KEY_PASSPHRASE:
	case KEY_NONE:
		break;
	}
	*kulen = USM_AUTH_KU_LEN;
	return derive_key(c, s, pass, what, ku, kulen);
}
static int setup_session(struct ctx *c, netsnmp_session *s, const char *peername)
{
	const struct config *cfg = c->cfg;
	enum seclevel level = config_seclevel(cfg);

	snmp_sess_init(s);
	s->peername = (char *)peername;
	switch (cfg->protocol) {
	case SNMPV_1:
	case SNMPV_2C:
		s->version = cfg->protocol == SNMPV_1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
		s->community = (u_char *)cfg->community;
		s->community_len = strlen(cfg->community);
		return 0;
	case SNMPV_3:
		break;
	}
	s->version = SNMP_VERSION_3;
	s->securityName = (char *)cfg->secname;
	s->securityNameLen = strlen(cfg->secname);
	s->securityModel = SNMP_SEC_MODEL_USM;
	s->securityLevel = level == SECLEVEL_NOAUTH ? SNMP_SEC_LEVEL_NOAUTH :
			   level == SECLEVEL_AUTHNOPRIV ? SNMP_SEC_LEVEL_AUTHNOPRIV :
			   SNMP_SEC_LEVEL_AUTHPRIV;
	if (level == SECLEVEL_NOAUTH)
		return 0;

	switch (cfg->authproto) {
#ifndef NETSNMP_DISABLE_MD5
	case AUTH_MD5: s->securityAuthProto = usmHMACMD5AuthProtocol; break;
#endif
	case AUTH_SHA: s->securityAuthProto = usmHMACSHA1AuthProtocol; break;
	case AUTH_SHA224: s->securityAuthProto = usmHMAC128SHA224AuthProtocol; break;
	case AUTH_SHA256: s->securityAuthProto = usmHMAC192SHA256AuthProtocol; break;
	case AUTH_SHA384: s->securityAuthProto = usmHMAC256SHA384AuthProtocol; break;
	case AUTH_SHA512: s->securityAuthProto = usmHMAC384SHA512AuthProtocol; break;
	default:
		return errorf(c->err, c->errlen, "authentication protocol %s is not "
			      "supported by this Net-SNMP library",
			      config_authproto_name(cfg->authproto));
	}
	s->securityAuthProtoLen = USM_AUTH_PROTO_SHA_LEN;
	if (set_key(c, s, config_auth_source(cfg), cfg->authpasswd, &cfg->authmasterkey,
		    &cfg->authlocalkey, "authentication", s->securityAuthKey,
		    &s->securityAuthKeyLen, &s->securityAuthLocalKey,
		    &s->securityAuthLocalKeyLen) != 0)
		return -1;
	if (level != SECLEVEL_AUTHPRIV)
		return 0;

	switch (cfg->privproto) {
#ifndef NETSNMP_DISABLE_DES
	case PRIV_DES:
		s->securityPrivProto = usmDESPrivProtocol;
		s->securityPrivProtoLen = USM_PRIV_PROTO_DES_LEN;
		break;
#endif
	case PRIV_AES:
		s->securityPrivProto = usmAESPrivProtocol;
		s->securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
		break;
#ifdef NETSNMP_DRAFT_BLUMENTHAL_AES_04
	case PRIV_AES192:
		s->securityPrivProto = usmAES192PrivProtocol;
		s->securityPrivProtoLen = OID_LENGTH(usmAES192PrivProtocol);
		break;
	case PRIV_AES256:
		s->securityPrivProto = usmAES256PrivProtocol;
		s->securityPrivProtoLen = OID_LENGTH(usmAES256PrivProtocol);
		break;
#endif
	default:
		return errorf(c->err, c->errlen, "privacy protocol %s is not supported by "
			      "this Net-SNMP library",
			      config_privproto_name(cfg->privproto));
	}
	return set_key(c, s, config_priv_source(cfg), cfg->privpasswd, &cfg->privmasterkey,
		       &cfg->privlocalkey, "privacy", s->securityPrivKey,
		       &s->securityPrivKeyLen, &s->securityPrivLocalKey,
		       &s->securityPrivLocalKeyLen);
}

/*
 * Closes c->sessp (when open) and wipes the keys in its template s: the keys
 * derived from the passphrases, or given, stay no longer than needed.
 */
static void close_session(struct ctx *c, netsnmp_session *s)
{
	explicit_bzero(s->securityAuthKey, sizeof s->securityAuthKey);
	explicit_bzero(s->securityPrivKey, sizeof s->securityPrivKey);
	if (c->last)
		snmp_free_pdu(c->last);
	c->last = NULL;
	free(c->vbs);
	c->vbs = NULL;
	c->vbs_cap = 0;
	if (c->sessp)
		snmp_sess_close(c->sessp);
	c->sessp = NULL;
}

/*
 * Opens c->sessp to cfg's agent with s as the template (peername is its
 * buffer).  On failure the caller still calls close_session().
 */
static int open_session(struct ctx *c, netsnmp_session *s, char *peername, size_t len)
{
	int liberr = 0, syserr = 0;
	char *msg = NULL;

	if (snmp_peer_name(c->cfg, peername, len, c->peer, sizeof c->peer, c->err,
		      c->errlen) < 0)
		return -1;
	if (setup_session(c, s, peername) < 0)
		return -1;
	if (set_try_timeout(c, s) < 0)
		return session_error(c, SNMPERR_TIMEOUT);
	c->sessp = snmp_sess_open(s);
	/* One counter for one kind of transport (a later session of another
	 * kind is simply not counted). */
	if (c->sessp && snmp_sess_transport(c->sessp) && snmp_sess_transport(c->sessp)->f_recv &&
	    snmp_sess_transport(c->sessp)->f_recv != counting_recv &&
	    (!transport_recv || transport_recv == snmp_sess_transport(c->sessp)->f_recv)) {
		transport_recv = snmp_sess_transport(c->sessp)->f_recv;
		snmp_sess_transport(c->sessp)->f_recv = counting_recv;
	}
	if (!c->sessp) {
		snmp_error(s, &syserr, &liberr, &msg);
		free(msg);
		if (syserr != 0)	/* a TCP agent refusing the connection, say */
			return errorf(c->err, c->errlen, "cannot connect to %s: %s", c->peer,
				      strerror(syserr));
		return session_error(c, liberr ? liberr : SNMPERR_GENERR);
	}
	return 0;
}

/*
 * The carrier of plugin/hrquery.c over Net-SNMP: one request out, its
 * answer decoded; the response is kept (the varbinds' strings point into
 * it) until the next request or close_session().
 */
static int netsnmp_send(void *carrier, const struct hrq_request *rq, struct walk_answer *a,
			char *err, size_t errlen)
{
	struct ctx *c = carrier;
	netsnmp_pdu *req, *resp;
	size_t nvb;

	(void)err;	/* c->err, the same buffer */
	(void)errlen;
	if (c->last) {
		snmp_free_pdu(c->last);
		c->last = NULL;
	}
	req = snmp_pdu_create(rq->pdu == BER_PDU_GETBULK ? SNMP_MSG_GETBULK :
			      rq->pdu == BER_PDU_GETNEXT ? SNMP_MSG_GETNEXT : SNMP_MSG_GET);
	if (!req)
		return errorf(c->err, c->errlen, "out of memory");
	if (rq->pdu == BER_PDU_GETBULK) {
		req->non_repeaters = 0;
		req->max_repetitions = rq->max_repetitions;
	}
	for (size_t i = 0; i < rq->n; i++) {
		size_t len = rq->names[i].len < WALK_OID_MAX ? rq->names[i].len : WALK_OID_MAX;
		oid name[WALK_OID_MAX];

		for (size_t k = 0; k < len; k++)
			name[k] = rq->names[i].oid[k];
		snmp_add_null_var(req, name, len);
	}
	if (request(c, req, &resp) < 0)
		return -1;
	c->last = resp;
	nvb = count_varbinds(resp->variables);
	if (nvb > c->vbs_cap) {
		struct walk_varbind *v = realloc(c->vbs, nvb * sizeof *v);

		if (!v)
			return errorf(c->err, c->errlen, "out of memory");
		c->vbs = v;
		c->vbs_cap = nvb;
	}
	return decode_answer(c, resp, c->vbs, nvb, a);
}

/* The part of snmp_query that runs between library_init and snmp_shutdown. */
static int query(struct ctx *c, const struct snmp_repeat *rep, snmp_match_fn match,
		 void *ud, bool need_path, struct hr_snapshot *out)
{
	char peername[INET6_ADDRSTRLEN + 48];
	netsnmp_session s;
	struct hrq q = { netsnmp_send, c, c->peer, c->cfg->protocol == SNMPV_1, c->err,
			 c->errlen };
	int rc;

	memset(&s, 0, sizeof s);
	peername[0] = '\0';
	rc = open_session(c, &s, peername, sizeof peername);
	copy_str(out->peer, sizeof out->peer, peername);
	if (rc == 0)
		rc = hrq_query(&q, rep, match, ud, need_path, out);
	close_session(c, &s);
	return rc;
}

/* A fresh context for one exchange; its deadline starts now. */
static void ctx_init(struct ctx *c, const struct config *cfg, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->cfg = cfg;
	c->err = err;
	c->errlen = errlen;
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += cfg->timeout_s;
}

/* snmp_query_repeat (snmp.h) over Net-SNMP, for plugin/snmpload.c. */
static int module_query_repeat(const struct config *cfg, const struct timespec *deadline,
			       const struct snmp_repeat *rep, snmp_match_fn match, void *ud,
			       bool need_path, struct hr_snapshot *out, char *err, size_t errlen)
{
	struct ctx c;
	struct log_ctx lc = { cfg->verbose };
	int rc;

	memset(out, 0, sizeof *out);
	out->mem_size_kb = -1;
	ctx_init(&c, cfg, err, errlen);
	c.deadline = *deadline;

	library_init(&lc, cfg->protocol == SNMPV_3);
	rc = query(&c, rep, match, ud, need_path, out);
	/* snmp_shutdown frees the client data of callbacks still registered. */
	snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_cb, &lc, 1);
	snmp_shutdown("check_async_leak");

	out->requests = c.requests;
	if (rc < 0) {
		snmp_snapshot_release(out);
		out->requests = c.requests;
	}
	return rc;
}

static void print_key(FILE *out, const char *prefix, const char *key,
		      const u_char *b, size_t n)
{
	fprintf(out, "%s%s = 0x", prefix, key);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%02x", b[i]);
	fputc('\n', out);
}

/* The part of snmp_print_keys between library_init and snmp_shutdown. */
static int print_keys(struct ctx *c, FILE *out)
{
	const struct config *cfg = c->cfg;
	bool priv = config_seclevel(cfg) == SECLEVEL_AUTHPRIV;
	enum key_source asrc = config_auth_source(cfg), psrc = config_priv_source(cfg);
	size_t alen = config_auth_key_len(cfg->authproto);
	size_t plen = config_priv_localkey_len(cfg->privproto);
	char peername[INET6_ADDRSTRLEN + 48], shown[120];
	netsnmp_session s, *ss;
	netsnmp_pdu *req, *resp = NULL;
	struct usmUser *user;
	struct hrget_item uptime;
	int rc = -1;

	memset(&s, 0, sizeof s);
	if (config_seclevel(cfg) == SECLEVEL_NOAUTH) {
		errorf(c->err, c->errlen, "--print-keys: noAuthNoPriv has no keys (give -A"
		       " and -X, the passphrases)");
		goto out;
	}
	if (open_session(c, &s, peername, sizeof peername) < 0)
		goto out;
	/* Only an agent that accepts the keys answers this (authenticated) GET;
	 * its engine ID is then known and the library holds the localized keys. */
	req = snmp_pdu_create(SNMP_MSG_GET);
	if (!req) {
		errorf(c->err, c->errlen, "out of memory");
		goto out;
	}
	hrget_item_set(&uptime, IT_UPTIME, 0, HRGET_UPTIME, HRGET_SCALAR_LEN - 1, 0);
	add_item(req, &uptime);
	if (request(c, req, &resp) < 0)
		goto out;
	snmp_free_pdu(resp);
	ss = snmp_sess_session(c->sessp);
	user = ss ? usm_get_user(ss->securityEngineID, ss->securityEngineIDLen,
				 cfg->secname) : NULL;
	if (!user || user->authKeyLen < alen || (priv && user->privKeyLen < plen)) {
		errorf(c->err, c->errlen, "--print-keys: the library holds no keys for user"
		       " '%s' after the agent answered", cfg->secname);
		goto out;
	}

	fprintf(out, "; SNMPv3 keys of user %s (%s%s%s),\n", cfg->secname,
		config_authproto_name(cfg->authproto), priv ? ", " : "",
		priv ? config_privproto_name(cfg->privproto) : "");
	fprintf(out, "; accepted by the agent at %s.\n",
		quote_text(shown, sizeof shown, c->peer, strlen(c->peer)));
	fprintf(out, "; Put them in its INI section in place of %s.\n",
		priv ? "authpasswd and privpasswd" : "authpasswd");
	if (asrc == KEY_LOCALIZED || (priv && psrc == KEY_LOCALIZED)) {
		fputs("; (Master keys come from passphrases or master keys, not given here.)\n",
		      out);
	} else {
		fprintf(out, "; The master %s with every agent where the user has %s:\n",
			priv ? "keys work" : "key works",
			priv ? "these passphrases" : "this passphrase");
		print_key(out, "", "authmasterkey", s.securityAuthKey, s.securityAuthKeyLen);
		if (priv)
			print_key(out, "", "privmasterkey", s.securityPrivKey,
				  s.securityPrivKeyLen);
	}
	fprintf(out, "; Or the %s localized to this agent's engine ID, for it alone\n; (",
		priv ? "keys" : "key");
	for (size_t i = 0; i < ss->securityEngineIDLen; i++)
		fprintf(out, "%s%02x", i ? "" : "0x", ss->securityEngineID[i]);
	fputs("):\n", out);
	print_key(out, ";", "authlocalkey", user->authKey, alen);
	if (priv)
		print_key(out, ";", "privlocalkey", user->privKey, plen);
	fflush(out);
	rc = 0;
out:
	close_session(c, &s);
	return rc;
}

/* snmp_print_keys (snmp.h), for plugin/snmpload.c. */
static int module_print_keys(const struct config *cfg, FILE *out, char *err, size_t errlen)
{
	struct ctx c;
	struct log_ctx lc = { cfg->verbose };
	int rc;

	ctx_init(&c, cfg, err, errlen);
	library_init(&lc, true);
	rc = print_keys(&c, out);
	snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_cb, &lc, 1);
	snmp_shutdown("check_async_leak");
	return rc;
}

/* What plugin/snmpload.c looks up (see snmpmod.h). */
extern const struct snmp_module check_async_leak_snmp_module;
const struct snmp_module check_async_leak_snmp_module = {
	VERSION, sizeof(struct snmp_module), module_query_repeat, module_print_keys,
};
