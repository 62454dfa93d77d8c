/* hitless.h: the engine's model of a manifest set, findings and rules.
 *
 * Rules are pure functions over a manifest_set: they read objects and add
 * findings through a check_ctx.  No rule does I/O, keeps globals or prints. */
#ifndef HITLESS_H
#define HITLESS_H

#include <sys/types.h>

#include "doc.h"

#define HITLESS_VERSION "0.1.0"

typedef enum { SEV_NONE = -1, SEV_INFO, SEV_WARNING, SEV_ERROR } severity;
typedef enum { SCOPE_OBJECT, SCOPE_SET, SCOPE_DIAGNOSTIC } rule_scope;

const char *severity_name(severity s);
/* Returns SEV_NONE for "none", -2 for an unknown name. */
int severity_parse(const char *s);

/* ---- workloads ---------------------------------------------------------- */

/* One row per kind that carries a pod template.  Adding a kind (Argo Rollout,
 * OpenKruise CloneSet) is one row in manifest.c. */
typedef struct workload_kind {
    const char *kind;
    const char *groups;        /* accepted API groups, space separated; "core" = v1 */
    const char *template_path; /* NULL: the object is its own pod */
    const char *replicas_path; /* NULL: no replica count (DaemonSet, Pod) */
    const char *strategy_path; /* where the update strategy lives, or NULL */
} workload_kind;

const workload_kind *workload_kind_find(const char *api_version,
                                        const char *kind);

/* ---- objects ------------------------------------------------------------ */

typedef struct object object;
struct object {
    const node *root;
    const char *file; /* as the user named it; "-" is shown as <stdin> */
    const char *api_version, *kind, *name, *ns, *group;
    const node *meta, *annotations;
    const workload_kind *wk;
    bool controlled; /* a workload with a controller ownerReference */

    /* Workloads only. */
    const node *pod_meta, *pod_spec, *pod_labels;
    int64_t replicas;           /* spec.replicas, or 1 when unset */
    bool replicas_set;          /* the manifest sets spec.replicas */
    bool replicas_valid;        /* spec.replicas is a valid count */
    int64_t effective_replicas; /* R of RULES.md: HPA minReplicas when targeted */
    const object *hpa;          /* the HPA that targets it, if any */
    bool service_selected;      /* some Service of the set selects its pods */
    const object **services;    /* Services selecting it */
    size_t nservices;
    const object **pdbs;        /* PDBs matching its pods */
    size_t npdbs;

    /* PDBs and Services: workloads they select. */
    const object **selected;
    size_t nselected;
    const object *hpa_target; /* HPAs: the workload they scale */

    size_t index; /* position in the set, for stable order */
};

bool object_is(const object *o, const char *kind);
const char *object_ns_name(const object *o, char *buf, size_t cap);

/* ---- findings ----------------------------------------------------------- */

typedef struct related {
    const char *kind, *ns, *name, *file;
    uint32_t line;
} related;

typedef struct finding {
    const char *rule;
    severity sev;
    const char *message, *hint;
    const char *file;
    uint32_t line, col;
    const char *api_version, *kind, *ns, *name; /* NULL when no object */
    const char *container;
    const char *justification; /* non-NULL: suppressed, with this reason */
    related *related;
    size_t nrelated;
    size_t seq;
    const struct object *obj; /* the object at fault, for suppression */
    size_t file_rank;         /* set by report_sort */
} finding;

typedef struct report {
    arena *arena;
    finding *items;
    size_t n, cap;
    const char **file_names; /* in the order they were read (report_file) */
    size_t nfiles, files_cap;
    size_t *file_slots;      /* hash of file_names: index + 1, 0 = empty */
    size_t file_slots_cap;
    size_t input_errors; /* inputs that could not be read or parsed */
    size_t files, documents, objects;
} report;

report *report_new(void);
void report_free(report *r);
/* Adds a finding with a printf-style message; returns it for extra fields,
 * or NULL when out of memory (counted as an input error). */
finding *report_add(report *r, const char *rule_id, severity sev,
                    const char *file, uint32_t line, uint32_t col,
                    const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
/* Registers an input name; findings on it sort in registration order.
 * Returns the report's own copy, or NULL when out of memory. */
const char *report_file(report *r, const char *name);
void report_sort(report *r);
/* Counts of unsuppressed findings at or above a severity. */
size_t report_count(const report *r, severity at_least);

/* ---- configuration ------------------------------------------------------ */

typedef struct rule_param {
    const char *name;
    int64_t def, min, max;
    const char *doc;
} rule_param;

typedef struct rule rule;

typedef struct config {
    bool *enabled;       /* per registry index */
    severity *sev;       /* per registry index */
    int64_t *param;      /* per param_table index */
} config;

config *config_new(void);
void config_free(config *c);
int64_t config_param(const config *c, const char *name);

/* ---- rules -------------------------------------------------------------- */

typedef struct check_ctx {
    const struct manifest_set *set;
    const config *cfg;
    report *out;
    const rule *rule;
    severity sev;
} check_ctx;

struct rule {
    const char *id;
    severity sev;
    rule_scope scope;
    const char *summary; /* one line, also the SARIF short description */
    const char *why;     /* the outage it prevents */
    const char *hint;    /* one-line fix shown under each finding */
    const char *fix;     /* a YAML snippet */
    const char *params;  /* names of rule_param rows it reads, space separated */
    void (*check)(check_ctx *ctx, const object *o);            /* object scope */
    void (*check_set)(check_ctx *ctx, const struct manifest_set *s); /* set */
};

extern const rule rule_table[];
extern const size_t rule_count;
extern const rule_param param_table[];
extern const size_t param_count;

const rule *rule_find(const char *id);
ssize_t rule_index(const char *id);

/* A rule reports a finding on object o, located at node at (or the object
 * when at is NULL).  container may be NULL. */
finding *check_report(check_ctx *ctx, const object *o, const node *at,
                      const char *container, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void finding_relate(check_ctx *ctx, finding *f, const object *other);
/* Names the object a finding is about (kind, namespace, name). */
void finding_set_object(finding *f, const object *o);

/* ---- the manifest set --------------------------------------------------- */

typedef struct manifest_set {
    arena *arena;
    object **objects;
    size_t n, cap;
    const char *default_ns;
    report *out; /* diagnostics found while building the set */
    struct set_index *index;
} manifest_set;

manifest_set *set_new(report *out, const char *default_ns);
void set_free(manifest_set *s);
/* Adds one YAML/JSON document (and the items of a *List).  The tree must
 * outlive the set.  doc_line/doc_col locate the document for notes. */
void set_add_document(manifest_set *s, const node *root, const char *file);
/* A copy of a document in a holding only what the set reads of it when no
 * rule reads its body (apiVersion, kind, metadata; a List's items alike),
 * positions kept; NULL when the document must be kept whole (a workload,
 * Service, PDB or HPA, or a copy that would be too large), or when out of
 * memory. */
node *set_slim_document(arena *a, const node *root);
/* Builds the cross-object indexes (HPA targets, Services, PDBs).  Linear in
 * the size of the set. */
void set_index_build(manifest_set *s);
/* How many workloads a namespace has (indexed: O(1)). */
size_t set_namespace_workloads(const manifest_set *s, const char *ns);
/* Objects of a namespace, in input order. */
const object *const *set_namespace(const manifest_set *s, const char *ns,
                                   size_t *n);

/* Runs every enabled rule and applies suppression annotations. */
void engine_run(manifest_set *s, const config *cfg, report *out);

/* ---- helpers the rules share (helpers.c) -------------------------------- */

/* Kubernetes' GetScaledValueFromIntOrPercent. Returns false when v is not a
 * valid int-or-percent (or is negative, or over 100% when !allow_over). */
bool intorpct_resolve(const node *v, int64_t total, bool round_up,
                      bool allow_over_100, int64_t *out);
bool intorpct_resolve_text(const char *text, bool is_string, int64_t total,
                           bool round_up, bool allow_over_100, int64_t *out);

/* preStop duration, in milliseconds; false when unknown. */
bool prestop_duration_ms(const node *lifecycle, int64_t *ms);
/* Duration of a `sleep` operand list (GNU sleep syntax); false if unreadable. */
bool sleep_args_ms(const char *const *argv, size_t argc, int64_t *ms);
/* Sum of the `sleep N` commands of a shell script; false if unknown. */
bool shell_script_sleep_ms(const char *script, int64_t *ms);
/* The -c script of a shell command line, or NULL when argv is not a shell
 * running a script. */
const char *shell_c_script(const char *const *argv, size_t argc);
/* True when the script hands PID 1 to its last command or traps TERM. */
bool shell_script_forwards_sigterm(const char *script);

/* Label selectors. */
bool labels_match_map(const node *match_labels, const node *labels);
/* A metav1.LabelSelector: matchLabels AND matchExpressions.  empty_matches
 * says what an empty selector means (policy/v1 PDB: everything). */
bool selector_matches(const node *selector, const node *labels,
                      bool empty_matches);
bool selector_is_empty(const node *selector);

#endif
