/* dynlib.h: the webhook's libraries, opened only by the commands that use
 * them.
 *
 * Every pre-commit hook and CI step runs `hitless lint`, which needs
 * neither libmicrohttpd (with GnuTLS and its half-dozen libraries under it)
 * nor OpenSSL's libcrypto; mapping and relocating them took 5 of the 8 ms a
 * small file cost.  So they are not linked: `hitless webhook` and `hitless
 * certs` open them with dlopen(3), by the SONAME of the version the build
 * compiled against, and every call goes through a pointer of exactly the
 * type the library's header declares.
 *
 * Include this instead of <microhttpd.h> and the OpenSSL headers, after
 * every other header: from here on each function name below stands for a
 * call through its pointer, so the code reads as plain libmicrohttpd and
 * OpenSSL (macros such as sk_GENERAL_NAME_num included). */
#ifndef HITLESS_DYNLIB_H
#define HITLESS_DYNLIB_H

#include <microhttpd.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stddef.h>

#define DYNLIB_MHD(X)                                                      \
    X(MHD_add_response_header)                                             \
    X(MHD_create_response_from_buffer)                                     \
    X(MHD_destroy_response)                                                \
    X(MHD_get_daemon_info)                                                 \
    X(MHD_lookup_connection_value)                                         \
    X(MHD_queue_response)                                                  \
    X(MHD_quiesce_daemon)                                                  \
    X(MHD_start_daemon)                                                    \
    X(MHD_stop_daemon)

#define DYNLIB_CRYPTO(X)                                                   \
    X(ASN1_STRING_get0_data)                                               \
    X(ASN1_STRING_length)                                                  \
    X(ASN1_TIME_to_tm)                                                     \
    X(BIO_ctrl)                                                            \
    X(BIO_free)                                                            \
    X(BIO_new)                                                             \
    X(BIO_new_mem_buf)                                                     \
    X(BIO_s_mem)                                                           \
    X(BN_bin2bn)                                                           \
    X(BN_free)                                                             \
    X(BN_to_ASN1_INTEGER)                                                  \
    X(ERR_clear_error)                                                     \
    X(ERR_error_string_n)                                                  \
    X(ERR_get_error)                                                       \
    X(EVP_EncodeBlock)                                                     \
    X(EVP_PKEY_Q_keygen)                                                   \
    X(EVP_PKEY_free)                                                       \
    X(EVP_sha256)                                                          \
    X(GENERAL_NAMES_free)                                                  \
    X(OPENSSL_cleanse)                                                     \
    X(OPENSSL_sk_num)                                                      \
    X(OPENSSL_sk_value)                                                    \
    X(PEM_read_bio_PrivateKey)                                             \
    X(PEM_read_bio_X509)                                                   \
    X(PEM_write_PrivateKey)                                                \
    X(PEM_write_X509)                                                      \
    X(PEM_write_bio_X509)                                                  \
    X(RAND_bytes)                                                          \
    X(X509V3_EXT_conf_nid)                                                 \
    X(X509V3_set_ctx)                                                      \
    X(X509_EXTENSION_free)                                                 \
    X(X509_NAME_add_entry_by_txt)                                          \
    X(X509_NAME_oneline)                                                   \
    X(X509_add_ext)                                                        \
    X(X509_check_private_key)                                              \
    X(X509_free)                                                           \
    X(X509_get0_notAfter)                                                  \
    X(X509_get_ext_d2i)                                                    \
    X(X509_get_serialNumber)                                               \
    X(X509_get_subject_name)                                               \
    X(X509_getm_notAfter)                                                  \
    X(X509_getm_notBefore)                                                 \
    X(X509_gmtime_adj)                                                     \
    X(X509_new)                                                            \
    X(X509_set_issuer_name)                                                \
    X(X509_set_pubkey)                                                     \
    X(X509_set_version)                                                    \
    X(X509_sign)

#define DYNLIB_DECLARE(f) extern __typeof__(f) *dynlib_##f;
DYNLIB_MHD(DYNLIB_DECLARE)
DYNLIB_CRYPTO(DYNLIB_DECLARE)
#undef DYNLIB_DECLARE

/* Opens both libraries and resolves every function above, once.  On
 * failure returns false with dlerror's message. */
bool dynlib_load(char *err, size_t errlen);

/* One line per function of the lists above.  The build keeps the two in
 * step: a name without its line here is an undefined symbol at link time
 * (neither library is linked), a line without its name is an undeclared
 * pointer. */
#ifndef DYNLIB_NO_REDIRECT
#define MHD_add_response_header (*dynlib_MHD_add_response_header)
#define MHD_create_response_from_buffer (*dynlib_MHD_create_response_from_buffer)
#define MHD_destroy_response (*dynlib_MHD_destroy_response)
#define MHD_get_daemon_info (*dynlib_MHD_get_daemon_info)
#define MHD_lookup_connection_value (*dynlib_MHD_lookup_connection_value)
#define MHD_queue_response (*dynlib_MHD_queue_response)
#define MHD_quiesce_daemon (*dynlib_MHD_quiesce_daemon)
#define MHD_start_daemon (*dynlib_MHD_start_daemon)
#define MHD_stop_daemon (*dynlib_MHD_stop_daemon)
#define ASN1_STRING_get0_data (*dynlib_ASN1_STRING_get0_data)
#define ASN1_STRING_length (*dynlib_ASN1_STRING_length)
#define ASN1_TIME_to_tm (*dynlib_ASN1_TIME_to_tm)
#define BIO_ctrl (*dynlib_BIO_ctrl)
#define BIO_free (*dynlib_BIO_free)
#define BIO_new (*dynlib_BIO_new)
#define BIO_new_mem_buf (*dynlib_BIO_new_mem_buf)
#define BIO_s_mem (*dynlib_BIO_s_mem)
#define BN_bin2bn (*dynlib_BN_bin2bn)
#define BN_free (*dynlib_BN_free)
#define BN_to_ASN1_INTEGER (*dynlib_BN_to_ASN1_INTEGER)
#define ERR_clear_error (*dynlib_ERR_clear_error)
#define ERR_error_string_n (*dynlib_ERR_error_string_n)
#define ERR_get_error (*dynlib_ERR_get_error)
#define EVP_EncodeBlock (*dynlib_EVP_EncodeBlock)
#define EVP_PKEY_Q_keygen (*dynlib_EVP_PKEY_Q_keygen)
#define EVP_PKEY_free (*dynlib_EVP_PKEY_free)
#define EVP_sha256 (*dynlib_EVP_sha256)
#define GENERAL_NAMES_free (*dynlib_GENERAL_NAMES_free)
#define OPENSSL_cleanse (*dynlib_OPENSSL_cleanse)
#define OPENSSL_sk_num (*dynlib_OPENSSL_sk_num)
#define OPENSSL_sk_value (*dynlib_OPENSSL_sk_value)
#define PEM_read_bio_PrivateKey (*dynlib_PEM_read_bio_PrivateKey)
#define PEM_read_bio_X509 (*dynlib_PEM_read_bio_X509)
#define PEM_write_PrivateKey (*dynlib_PEM_write_PrivateKey)
#define PEM_write_X509 (*dynlib_PEM_write_X509)
#define PEM_write_bio_X509 (*dynlib_PEM_write_bio_X509)
#define RAND_bytes (*dynlib_RAND_bytes)
#define X509V3_EXT_conf_nid (*dynlib_X509V3_EXT_conf_nid)
#define X509V3_set_ctx (*dynlib_X509V3_set_ctx)
#define X509_EXTENSION_free (*dynlib_X509_EXTENSION_free)
#define X509_NAME_add_entry_by_txt (*dynlib_X509_NAME_add_entry_by_txt)
#define X509_NAME_oneline (*dynlib_X509_NAME_oneline)
#define X509_add_ext (*dynlib_X509_add_ext)
#define X509_check_private_key (*dynlib_X509_check_private_key)
#define X509_free (*dynlib_X509_free)
#define X509_get0_notAfter (*dynlib_X509_get0_notAfter)
#define X509_get_ext_d2i (*dynlib_X509_get_ext_d2i)
#define X509_get_serialNumber (*dynlib_X509_get_serialNumber)
#define X509_get_subject_name (*dynlib_X509_get_subject_name)
#define X509_getm_notAfter (*dynlib_X509_getm_notAfter)
#define X509_getm_notBefore (*dynlib_X509_getm_notBefore)
#define X509_gmtime_adj (*dynlib_X509_gmtime_adj)
#define X509_new (*dynlib_X509_new)
#define X509_set_issuer_name (*dynlib_X509_set_issuer_name)
#define X509_set_pubkey (*dynlib_X509_set_pubkey)
#define X509_set_version (*dynlib_X509_set_version)
#define X509_sign (*dynlib_X509_sign)
#endif

#endif
