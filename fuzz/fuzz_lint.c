/* fuzz_lint.c: bytes -> YAML loader -> manifest set -> every rule ->
 * every output format.  Anything the linter can be given on stdin. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lint/input.h"
#include "../lint/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    report *out = report_new();
    inputs in = {0};
    manifest_set *set = out ? set_new(out, "default") : NULL;
    config *cfg = config_new();
    if (!out || !set || !cfg) goto done;
    /* The linter's own path for stdin; small limits keep each run fast
     * while still crossing every bound. */
    input_opts opts = {.max_bytes = 1 << 20,
                       .limits = {.max_depth = 64, .max_nodes = 20000,
                                  .max_scalar = 1 << 16, .max_documents = 200}};
    input_add_buffer(&in, "fuzz.yaml", (const char *)data, size, &opts, set, out);
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
    inputs_free(&in);
    report_free(out);
    return 0;
}
