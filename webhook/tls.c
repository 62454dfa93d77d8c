/* tls.c: OpenSSL side of the webhook's certificates. */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lint/input.h"
#include "dynlib.h" /* last: see there */

static void ssl_err(char *err, size_t len, const char *what) {
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, len, "%s%s%s", what, e ? ": " : "", buf);
    ERR_clear_error();
}

static void describe_sans(X509 *x, char *out, size_t cap) {
    out[0] = '\0';
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char item[300] = "";
        if (g->type == GEN_DNS) {
            snprintf(item, sizeof item, "DNS:%.*s", ASN1_STRING_length(g->d.dNSName),
                     (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        } else if (g->type == GEN_IPADD) {
            char ip[INET6_ADDRSTRLEN] = "?";
            int l = ASN1_STRING_length(g->d.iPAddress);
            const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);
            if (l == 4) inet_ntop(AF_INET, d, ip, sizeof ip);
            else if (l == 16) inet_ntop(AF_INET6, d, ip, sizeof ip);
            snprintf(item, sizeof item, "IP:%s", ip);
        } else {
            continue;
        }
        if (out[0]) strncat(out, ", ", cap - strlen(out) - 1);
        strncat(out, item, cap - strlen(out) - 1);
    }
    GENERAL_NAMES_free(names);
}

bool tls_pair_load(const char *cert_file, const char *key_file, tls_pair *p,
                   char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    size_t clen, klen;
    BIO *cb = NULL, *kb = NULL;
    X509 *x = NULL;
    EVP_PKEY *key = NULL;
    bool ok = false;
    int e = read_file(cert_file, 1 << 20, &p->cert_pem, &clen);
    if (e) {
        snprintf(err, errlen, "%s: cannot read: %s", cert_file, strerror(e));
        goto done;
    }
    if ((e = read_file(key_file, 1 << 20, &p->key_pem, &klen))) {
        snprintf(err, errlen, "%s: cannot read: %s", key_file, strerror(e));
        goto done;
    }
    cb = BIO_new_mem_buf(p->cert_pem, (int)clen);
    kb = BIO_new_mem_buf(p->key_pem, (int)klen);
    if (!cb || !kb) {
        ssl_err(err, errlen, "out of memory");
        goto done;
    }
    if (!(x = PEM_read_bio_X509(cb, NULL, NULL, NULL))) {
        char what[300];
        snprintf(what, sizeof what, "%s: no PEM certificate", cert_file);
        ssl_err(err, errlen, what);
        goto done;
    }
    if (!(key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL))) {
        char what[300];
        snprintf(what, sizeof what, "%s: no PEM private key", key_file);
        ssl_err(err, errlen, what);
        goto done;
    }
    if (X509_check_private_key(x, key) != 1) {
        ERR_clear_error();
        snprintf(err, errlen, "%s does not match the certificate in %s",
                 key_file, cert_file);
        goto done;
    }
    struct tm tm;
    if (!ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm)) {
        ssl_err(err, errlen, "cannot read the certificate's expiry");
        goto done;
    }
    p->not_after = timegm(&tm);
    describe_sans(x, p->sans, sizeof p->sans);
    X509_NAME_oneline(X509_get_subject_name(x), p->subject, sizeof p->subject);
    ok = true;
done:
    X509_free(x);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
    if (!ok) tls_pair_free(p);
    return ok;
}

void tls_pair_free(tls_pair *p) {
    if (p->key_pem) OPENSSL_cleanse(p->key_pem, strlen(p->key_pem));
    free(p->cert_pem);
    free(p->key_pem);
    p->cert_pem = p->key_pem = NULL;
}

/* ---- generation ---------------------------------------------------------- */

static bool add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext) return false;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1;
}

static X509 *new_cert(EVP_PKEY *key, const char *cn, int days) {
    X509 *x = X509_new();
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    if (!x || RAND_bytes(serial, sizeof serial) != 1) goto fail;
    serial[0] &= 0x7f; /* positive */
    if (!(bn = BN_bin2bn(serial, sizeof serial, NULL)) ||
        !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
        !X509_set_version(x, 2) ||
        /* Backdated a little so that a clock skew between the node that
         * generated it and the API server does not make it "not yet valid". */
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) ||
        !X509_set_pubkey(x, key) ||
        !X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                                    (const unsigned char *)cn, -1, -1, 0))
        goto fail;
    BN_free(bn);
    return x;
fail:
    BN_free(bn);
    X509_free(x);
    return NULL;
}

static bool write_pem(const char *dir, const char *name, X509 *x,
                      EVP_PKEY *key, char *err, size_t errlen) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    /* Keys are created 0600 from the start, never world-readable. */
    mode_t old = umask(key ? 077 : 022);
    FILE *f = fopen(path, "w");
    umask(old);
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    int ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
                 : PEM_write_X509(f, x);
    if (fclose(f) != 0 || !ok) {
        snprintf(err, errlen, "%s: write failed", path);
        return false;
    }
    return true;
}

static bool mkdir_p(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) return false;
        *p = '/';
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST;
}

char *certs_generate(const certs_opts *o, char *err, size_t errlen) {
    EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *key = EVP_EC_gen("P-256");
    X509 *ca = NULL, *srv = NULL;
    char *bundle = NULL, *pem = NULL;
    char cn[300], sans[4096];
    if (!ca_key || !key) {
        ssl_err(err, errlen, "cannot generate keys");
        goto done;
    }
    snprintf(cn, sizeof cn, "%s.%s.svc", o->service, o->ns);
    snprintf(sans, sizeof sans,
             "DNS:%s, DNS:%s.%s, DNS:%s.%s.svc, DNS:%s.%s.svc.cluster.local",
             o->service, o->service, o->ns, o->service, o->ns, o->service, o->ns);
    for (size_t i = 0; i < o->nextra; i++) {
        unsigned char buf[16];
        const char *h = o->extra_hosts[i];
        bool ip = inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1;
        size_t l = strlen(sans);
        snprintf(sans + l, sizeof sans - l, ", %s:%s", ip ? "IP" : "DNS", h);
    }
    if (!(ca = new_cert(ca_key, "hitless webhook CA", o->days > 3650 ? o->days : 3650)) ||
        !X509_set_issuer_name(ca, X509_get_subject_name(ca)) ||
        !add_ext(ca, ca, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !add_ext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_ext(ca, ca, NID_subject_key_identifier, "hash") ||
        !X509_sign(ca, ca_key, EVP_sha256())) {
        ssl_err(err, errlen, "cannot create the CA certificate");
        goto done;
    }
    if (!(srv = new_cert(key, cn, o->days)) ||
        !X509_set_issuer_name(srv, X509_get_subject_name(ca)) ||
        !add_ext(srv, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(srv, ca, NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
        !add_ext(srv, ca, NID_ext_key_usage, "serverAuth") ||
        !add_ext(srv, ca, NID_authority_key_identifier, "keyid:always") ||
        !add_ext(srv, ca, NID_subject_alt_name, sans) ||
        !X509_sign(srv, ca_key, EVP_sha256())) {
        ssl_err(err, errlen, "cannot create the serving certificate");
        goto done;
    }
    if (!mkdir_p(o->out_dir)) {
        snprintf(err, errlen, "%s: %s", o->out_dir, strerror(errno));
        goto done;
    }
    if (!write_pem(o->out_dir, "ca.crt", ca, NULL, err, errlen) ||
        !write_pem(o->out_dir, "ca.key", NULL, ca_key, err, errlen) ||
        !write_pem(o->out_dir, "tls.crt", srv, NULL, err, errlen) ||
        !write_pem(o->out_dir, "tls.key", NULL, key, err, errlen))
        goto done;
    /* caBundle: base64 of the CA certificate's PEM, as Kubernetes wants. */
    BIO *mem = BIO_new(BIO_s_mem());
    if (!mem || !PEM_write_bio_X509(mem, ca)) {
        BIO_free(mem);
        ssl_err(err, errlen, "cannot encode the CA");
        goto done;
    }
    char *data;
    long n = BIO_get_mem_data(mem, &data);
    bundle = malloc(((size_t)n + 2) / 3 * 4 + 1);
    if (bundle) EVP_EncodeBlock((unsigned char *)bundle, (const unsigned char *)data, (int)n);
    else snprintf(err, errlen, "out of memory");
    BIO_free(mem);
done:
    free(pem);
    X509_free(ca);
    X509_free(srv);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    return bundle;
}
