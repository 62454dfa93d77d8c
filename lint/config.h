/* config.h: the .hitless.yaml project file. */
#ifndef HITLESS_CONFIG_H
#define HITLESS_CONFIG_H

#include <stdio.h>

#include "../rules/hitless.h"

#define CONFIG_NAME ".hitless.yaml"

/* Finds CONFIG_NAME in the working directory or the nearest parent; returns
 * a malloc'd path or NULL. */
char *config_find(void);

/* Applies the file at path to cfg.  Problems are printed to err as
 * path:line:col: error: ...; returns the number of problems (0 = ok). */
int config_load(config *cfg, const char *path, FILE *err);

/* Applies --enable/--disable values (comma separated lists).  Returns 0, or
 * prints the problem and returns 1. */
int config_toggle(config *cfg, const char *list, bool enable, FILE *err);

#endif
