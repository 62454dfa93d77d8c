/* json_tree.h: cJSON values as document trees, so the rules see one tree
 * type whatever the input format. */
#ifndef HITLESS_JSON_TREE_H
#define HITLESS_JSON_TREE_H

#include <cjson/cJSON.h>

#include "../rules/doc.h"

/* Converts v into a tree allocated in a; NULL when out of memory or nested
 * deeper than max_depth. */
node *json_to_node(arena *a, const cJSON *v, size_t max_depth);

#endif
