/* fuzz_lint.c: bytes -> YAML loader -> manifest set -> every rule ->
 * every output format.  Anything the linter can be given on stdin. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lint/load.h"
#include "../lint/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    report *out = report_new();
    arena *a = arena_new();
    manifest_set *set = out ? set_new(out, "default") : NULL;
    config *cfg = config_new();
    if (!out || !a || !set || !cfg) goto done;
    /* Small limits keep each run fast while still crossing every bound. */
    load_limits lim = {.max_depth = 64, .max_nodes = 20000, .max_scalar = 1 << 16,
                       .max_documents = 200};
    loaded res = {0};
    const char *file = report_file(out, "fuzz.yaml");
    load_yaml(file, (const char *)data, size, &lim, a, out, &res);
    for (size_t i = 0; i < res.n; i++) set_add_document(set, res.docs[i], file);
    free(res.docs);
    set_index_build(set);
    engine_run(set, cfg, out);
    report_sort(out);
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        output_opts oo = {0};
        output_text(sink, out, &oo);
        output_json(sink, out, &oo);
        output_sarif(sink, out, &oo);
        output_github(sink, out, &oo);
        fclose(sink);
    }
done:
    config_free(cfg);
    set_free(set);
    arena_free(a);
    report_free(out);
    return 0;
}
