/* tls.h: certificates with OpenSSL: load and check a serving pair, and
 * generate a CA plus a serving certificate for `hitless certs`. */
#ifndef HITLESS_TLS_H
#define HITLESS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct tls_pair {
    char *cert_pem, *key_pem; /* NUL-terminated, as libmicrohttpd wants */
    time_t not_after;
    char sans[512];           /* "DNS:a, DNS:b, IP:127.0.0.1" */
    char subject[256];
} tls_pair;

/* Reads and checks the files: PEM certificate (chain) and key, the key
 * matching the certificate.  On failure returns false with a message. */
bool tls_pair_load(const char *cert_file, const char *key_file, tls_pair *p,
                   char *err, size_t errlen);
void tls_pair_free(tls_pair *p);

typedef struct certs_opts {
    const char *service, *ns, *out_dir;
    const char *const *extra_hosts; /* more SANs: DNS names or IP addresses */
    size_t nextra;
    int days;
} certs_opts;

/* Writes ca.crt, ca.key, tls.crt, tls.key into out_dir and returns the CA
 * bundle (base64 of ca.crt) in a malloc'd string, or NULL with err set. */
char *certs_generate(const certs_opts *o, char *err, size_t errlen);

#endif
