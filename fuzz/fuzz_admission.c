/* fuzz_admission.c: request bodies -> AdmissionReview decoding, the
 * engine, and response encoding, in both modes.  A response must always be
 * produced, and a 200 must be a JSON AdmissionReview. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../webhook/admission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static config *cfg;
    if (!cfg) {
        cfg = config_new();
        for (size_t i = 0; cfg && i < rule_count; i++)
            if (rule_table[i].scope == SCOPE_SET) cfg->enabled[i] = false;
    }
    for (int mode = 0; mode < 2; mode++) {
        admission_opts o = {cfg, mode ? MODE_WARN : MODE_ENFORCE,
                            mode ? SEV_WARNING : SEV_ERROR, 10};
        admission_result res;
        admission_review((const char *)data, size, &o, &res);
        if (res.http_status != 200 && res.http_status != 400 && res.http_status != 500)
            abort();
        if (res.http_status == 200) {
            cJSON *j = cJSON_ParseWithLength(res.body, res.body_len);
            const cJSON *resp = cJSON_GetObjectItemCaseSensitive(j, "response");
            if (!j || !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(resp, "allowed")) ||
                !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(resp, "uid")))
                abort();
            const cJSON *w = cJSON_GetObjectItemCaseSensitive(resp, "warnings");
            for (const cJSON *x = w ? w->child : NULL; x; x = x->next)
                if (strlen(x->valuestring) > 120) abort();
            cJSON_Delete(j);
        }
        admission_result_free(&res);
    }
    return 0;
}
