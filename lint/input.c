/* input.c: files, directories and stdin.
 *
 * Directories are walked in sorted order so output is stable; symlinked
 * directories are followed, with the chain of directories being walked kept
 * to detect loops.  FIFOs and devices are refused: reading one could block
 * forever or never end. */
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const size_t input_default_max_bytes = (size_t)128 << 20;

static const char *display(const char *path) {
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static void unreadable(report *out, const char *file, const char *fmt,
                       const char *detail) {
    report_add(out, "input-unreadable", SEV_ERROR, file, 0, 0,
               "check the path and its permissions", fmt, detail);
}

int read_file_into(const char *path, size_t max, char **bufp, size_t *capp,
                   size_t *lenp) {
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = 0;
    struct stat st;
    char *buf = *bufp;
    size_t len = 0, cap = *capp, want = 65536;
    if (fstat(fd, &st) != 0) {
        err = errno;
        goto done;
    }
    if (fd != STDIN_FILENO) {
        if (!S_ISREG(st.st_mode)) {
            err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
            goto done;
        }
        /* O_NONBLOCK was only to not hang on opening a FIFO. */
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        if ((size_t)st.st_size > max) {
            err = EFBIG;
            goto done;
        }
        /* Room for the file, its NUL and the read that sees the end: a
         * file that does not change is read without growing the buffer. */
        if ((size_t)st.st_size + 2 > want) want = (size_t)st.st_size + 2;
    }
    if (cap < want) { /* nothing in it to keep */
        free(buf);
        if (!(buf = malloc(want))) {
            cap = 0;
            err = ENOMEM;
            goto done;
        }
        cap = want;
    }
    for (;;) {
        if (len + 1 >= cap) {
            size_t ncap = cap * 2;
            if (ncap > max + 2) ncap = max + 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                err = ENOMEM;
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r < 0) {
            if (errno == EINTR) continue;
            err = errno;
            goto done;
        }
        if (r == 0) break;
        len += (size_t)r;
        if (len > max) {
            err = EFBIG;
            goto done;
        }
    }
    buf[len] = '\0';
    *lenp = len;
done:
    if (fd != STDIN_FILENO) close(fd);
    *bufp = buf;
    *capp = cap;
    return err;
}

int read_file(const char *path, size_t max, char **bufp, size_t *lenp) {
    char *buf = NULL;
    size_t cap = 0;
    int err = read_file_into(path, max, &buf, &cap, lenp);
    if (err) {
        free(buf);
        return err;
    }
    *bufp = buf;
    return 0;
}

/* empty_is_error: standard input that holds no document is what a failed
 * `helm template ... |` leaves: an input error, not a note, or the pipe
 * would pass having checked nothing. */
static void add_buffer(inputs *in, const char *name, const char *buf,
                       size_t len, const input_opts *opts, manifest_set *set,
                       report *out, bool empty_is_error) {
    const char *file = report_file(out, name);
    if (!in->trees) in->trees = arena_new();
    if (!file || !in->trees) {
        unreadable(out, name, "%s: out of memory", name);
        return;
    }
    arena_mark start = arena_mark_now(in->trees);
    in->files++;
    out->files++;
    loaded res = {.slim = set_slim_document};
    load_yaml(file, buf, len, &opts->limits, in->trees, out, &res);
    /* Nothing of a file that yields no document (a template, a syntax
     * error in the first one) is kept. */
    if (res.n == 0) arena_rewind(in->trees, start);
    size_t docs = 0;
    for (size_t i = 0; i < res.n; i++) {
        const node *d = res.docs[i];
        if (d && !(d->kind == NODE_SCALAR && d->type == SC_NULL)) docs++;
        set_add_document(set, d, file);
    }
    if (docs == 0 && !res.failed && empty_is_error)
        report_add(out, "input-unreadable", SEV_ERROR, file, 0, 0,
                   "check the command that writes to the pipe (helm template, "
                   "kubectl kustomize)",
                   "standard input holds no YAML document (empty or only "
                   "comments): nothing was checked");
    else if (docs == 0 && !res.failed)
        report_add(out, "not-a-manifest", SEV_INFO, file, 1, 1,
                   "hitless reads Kubernetes objects (apiVersion, kind, metadata)",
                   "file holds no YAML documents (empty or only comments)");
    free(res.docs);
}

void input_add_buffer(inputs *in, const char *name, const char *buf,
                      size_t len, const input_opts *opts, manifest_set *set,
                      report *out) {
    add_buffer(in, name, buf, len, opts, set, out, false);
}

static void add_file(inputs *in, const char *path, const input_opts *opts,
                     manifest_set *set, report *out) {
    size_t len = 0;
    int err = read_file_into(path, opts->max_bytes, &in->buf, &in->buf_cap, &len);
    const char *name = display(path);
    if (err == EFBIG)
        report_add(out, "input-limit", SEV_ERROR, report_file(out, name), 0, 0,
                   "split the input into smaller files",
                   "input is larger than the %zu MiB limit; not read",
                   opts->max_bytes >> 20);
    else if (err == EINVAL)
        unreadable(out, report_file(out, name),
                   "%s is not a regular file (a FIFO, socket or device); "
                   "refused", name);
    else if (err)
        unreadable(out, report_file(out, name), "cannot read: %s", strerror(err));
    else
        add_buffer(in, name, in->buf, len, opts, set, out, strcmp(path, "-") == 0);
    /* The buffer serves the next file, unless it is large (a big file, or
     * stdin read up to the limit): it would stay for the whole run while
     * the set is checked. */
    if (in->buf_cap > (size_t)1 << 20) {
        free(in->buf);
        in->buf = NULL;
        in->buf_cap = 0;
    }
}

static bool manifest_name(const char *name) {
    const char *dot = strrchr(name, '.');
    return dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0 ||
                   strcmp(dot, ".json") == 0);
}

typedef struct dir_chain {
    const struct dir_chain *up;
    dev_t dev;
    ino_t ino;
} dir_chain;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t walk(inputs *in, const char *dir, const dir_chain *up,
                   const input_opts *opts, manifest_set *set, report *out) {
    struct stat st;
    if (stat(dir, &st) != 0) {
        unreadable(out, report_file(out, dir), "cannot read: %s", strerror(errno));
        return 0;
    }
    for (const dir_chain *c = up; c; c = c->up)
        if (c->dev == st.st_dev && c->ino == st.st_ino) {
            unreadable(out, report_file(out, dir),
                       "%s: symbolic link loop (a directory contains itself); "
                       "not followed", dir);
            return 0;
        }
    dir_chain here = {up, st.st_dev, st.st_ino};
    DIR *d = opendir(dir);
    if (!d) {
        unreadable(out, report_file(out, dir), "cannot read: %s", strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0, found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* Hidden entries (.git, .github, editors' files) are not manifests. */
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) break;
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) break;
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        char *p = malloc(plen);
        if (!p) break;
        snprintf(p, plen, "%s%s%s", dir,
                 dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
        struct stat es;
        if (stat(p, &es) != 0) {
            if (lstat(p, &es) == 0 && S_ISLNK(es.st_mode) && manifest_name(names[i])) {
                unreadable(out, report_file(out, p), "cannot read: %s", strerror(errno));
                found++;
            }
        } else if (S_ISDIR(es.st_mode)) {
            found += walk(in, p, &here, opts, set, out);
        } else if (manifest_name(names[i])) {
            if (S_ISREG(es.st_mode)) add_file(in, p, opts, set, out);
            else
                unreadable(out, report_file(out, p),
                           "%s is not a regular file (a FIFO, socket or "
                           "device); refused", p);
            found++;
        }
        free(p);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return found;
}

void input_add_path(inputs *in, const char *path, const input_opts *opts,
                    manifest_set *set, report *out) {
    struct stat st;
    if (strcmp(path, "-") == 0) {
        add_file(in, path, opts, set, out);
        return;
    }
    if (stat(path, &st) != 0) {
        int err = errno;
        unreadable(out, report_file(out, path), "cannot read: %s",
                   err == ELOOP ? "symbolic link loop" : strerror(err));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (walk(in, path, NULL, opts, set, out) == 0)
            unreadable(out, report_file(out, path),
                       "%s: no .yaml, .yml or .json files in this directory",
                       path);
        return;
    }
    add_file(in, path, opts, set, out);
}

void inputs_free(inputs *in) {
    arena_free(in->trees);
    free(in->buf);
    memset(in, 0, sizeof *in);
}
