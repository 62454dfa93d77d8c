/* dynlib.c: opening libmicrohttpd and libcrypto for the webhook commands
 * (see dynlib.h for why they are not linked). */
#define DYNLIB_NO_REDIRECT
#include "dynlib.h"

#include <assert.h>
#include <dlfcn.h>
#include <stdio.h>

/* The SONAMEs of the libraries the build compiled against (Makefile). */
static_assert(sizeof MHD_SONAME > 1, "MHD_SONAME is empty");
static_assert(sizeof CRYPTO_SONAME > 1, "CRYPTO_SONAME is empty");

#define DYNLIB_DEFINE(f) __typeof__(f) *dynlib_##f;
DYNLIB_MHD(DYNLIB_DEFINE)
DYNLIB_CRYPTO(DYNLIB_DEFINE)

static bool open_lib(const char *soname, void **handle, char *err,
                     size_t errlen) {
    /* Never closed: the pointers stay valid until exit. */
    *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) snprintf(err, errlen, "%s", dlerror());
    return *handle != NULL;
}

#define DYNLIB_RESOLVE(f)                                                  \
    if (ok && !(dynlib_##f = (__typeof__(dynlib_##f))dlsym(lib, #f))) {    \
        snprintf(err, errlen, "%s: %s", soname, dlerror());                \
        ok = false;                                                        \
    }

bool dynlib_load(char *err, size_t errlen) {
    static bool loaded;
    if (loaded) return true;
    void *lib;
    bool ok = true;
    const char *soname = MHD_SONAME;
    if (!open_lib(soname, &lib, err, errlen)) return false;
    DYNLIB_MHD(DYNLIB_RESOLVE)
    soname = CRYPTO_SONAME;
    if (!ok || !open_lib(soname, &lib, err, errlen)) return false;
    DYNLIB_CRYPTO(DYNLIB_RESOLVE)
    return loaded = ok;
}
