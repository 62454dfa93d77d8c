/* metrics.h: Prometheus counters of the webhook, safe to update from any
 * request thread. */
#ifndef HITLESS_METRICS_H
#define HITLESS_METRICS_H

#include <time.h>

#include "admission.h"

void metrics_review(const admission_result *r, double seconds);
void metrics_http_response(int status);
void metrics_cert_loaded(time_t not_after);
void metrics_cert_reload(bool ok);
void metrics_set_ready(bool ready);
/* The exposition text (format 0.0.4), malloc'd; NULL when out of memory. */
char *metrics_render(size_t *len);

#endif
