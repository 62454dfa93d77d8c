/* main.c: the hitless command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "input.h"
#include "output.h"

int cmd_webhook(int argc, char **argv);
int cmd_certs(int argc, char **argv);

static const char usage_main[] =
    "usage: hitless COMMAND [OPTIONS]\n"
    "\n"
    "Finds what makes Kubernetes rollouts and node drains drop traffic.\n"
    "\n"
    "commands:\n"
    "  lint [PATH|-]...   check manifests (files, directories, stdin)\n"
    "  rules              list the rules\n"
    "  explain RULE       why a rule matters and how to fix it\n"
    "  webhook            serve the validating admission webhook (HTTPS)\n"
    "  certs              write a CA and serving certificate for the webhook\n"
    "  version            print the version\n"
    "\n"
    "Run `hitless COMMAND --help` for the options of a command.\n";

static const char usage_lint[] =
    "usage: hitless lint [OPTIONS] PATH...\n"
    "\n"
    "Checks Kubernetes manifests. PATH is a YAML or JSON file, a directory\n"
    "(searched recursively for *.yaml, *.yml and *.json), or - for stdin,\n"
    "e.g. `helm template ... | hitless lint -`. All inputs form one set:\n"
    "PDBs, Services and HPAs are matched against workloads across files.\n"
    "\n"
    "options:\n"
    "  -f, --format FORMAT     text (default), json, sarif or github\n"
    "      --fail-on LEVEL     exit 1 on findings at or above LEVEL:\n"
    "                          error (default), warning, info or none\n"
    "  -c, --config FILE       config file (default: .hitless.yaml found in\n"
    "                          the working directory or a parent)\n"
    "      --no-config         do not look for .hitless.yaml\n"
    "  -n, --namespace NS      namespace of objects that set none (default\n"
    "                          \"default\")\n"
    "      --enable RULES      enable rules (comma separated; \"all\")\n"
    "      --disable RULES     disable rules (comma separated; \"all\")\n"
    "      --color WHEN        auto (default), always or never; NO_COLOR in\n"
    "                          the environment turns auto off\n"
    "  -q, --quiet             print findings only: no summary, and no info\n"
    "                          findings unless --fail-on info\n"
    "  -h, --help              show this help\n"
    "\n"
    "exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage\n"
    "error or an input that could not be read or parsed.\n";

static const char usage_rules[] =
    "usage: hitless rules [--format text|json|markdown]\n"
    "\n"
    "Lists every rule and diagnostic: id, default severity, scope, summary.\n"
    "\n"
    "options:\n"
    "  -f, --format FORMAT     text (default), json or markdown\n"
    "  -h, --help              show this help\n";

static const char usage_explain[] =
    "usage: hitless explain RULE\n"
    "\n"
    "Shows why RULE matters, the outage it prevents, how to fix it, its\n"
    "parameters, and how to suppress it for one object.\n"
    "\n"
    "options:\n"
    "  -h, --help              show this help\n";

static const char usage_version[] =
    "usage: hitless version\n"
    "\n"
    "Prints the version of hitless and of the libraries it was built with.\n"
    "\n"
    "options:\n"
    "  -h, --help              show this help\n";

static int usage_error(const char *usage, const char *fmt, const char *arg) {
    fputs("hitless: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    fputs(usage, stderr);
    return 2;
}

static bool wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return false;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return true;
    }
    return false;
}

static int cmd_lint(int argc, char **argv) {
    static const struct option opts[] = {
        {"format", required_argument, 0, 'f'},
        {"fail-on", required_argument, 0, 'F'},
        {"config", required_argument, 0, 'c'},
        {"no-config", no_argument, 0, 'N'},
        {"namespace", required_argument, 0, 'n'},
        {"enable", required_argument, 0, 'e'},
        {"disable", required_argument, 0, 'd'},
        {"color", required_argument, 0, 'C'},
        {"colour", required_argument, 0, 'C'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    output_format fmt = FMT_TEXT;
    int fail_on = SEV_ERROR;
    const char *config_path = NULL, *ns = "default", *color = "auto";
    bool no_config = false;
    output_opts oo = {0};
    /* --enable/--disable apply after the config file, in command-line order. */
    char **toggles = calloc((size_t)argc + 1, sizeof *toggles);
    bool *toggle_on = calloc((size_t)argc + 1, sizeof *toggle_on);
    size_t ntoggles = 0;
    int rc = 2, c;
    config *cfg = NULL;
    report *out = NULL;
    manifest_set *set = NULL;
    inputs in = {0};
    if (!toggles || !toggle_on) goto done;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+f:c:n:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "text") == 0) fmt = FMT_TEXT;
            else if (strcmp(optarg, "json") == 0) fmt = FMT_JSON;
            else if (strcmp(optarg, "sarif") == 0) fmt = FMT_SARIF;
            else if (strcmp(optarg, "github") == 0) fmt = FMT_GITHUB;
            else {
                rc = usage_error(usage_lint, "unknown format \"%s\"", optarg);
                goto done;
            }
            break;
        case 'F':
            fail_on = severity_parse(optarg);
            if (fail_on < SEV_NONE) {
                rc = usage_error(usage_lint, "--fail-on takes error, warning, "
                                             "info or none, not \"%s\"", optarg);
                goto done;
            }
            break;
        case 'c': config_path = optarg; break;
        case 'N': no_config = true; break;
        case 'n':
            if (!*optarg) {
                rc = usage_error(usage_lint, "--namespace needs a name%s", "");
                goto done;
            }
            ns = optarg;
            break;
        case 'e':
        case 'd':
            toggles[ntoggles] = optarg;
            toggle_on[ntoggles++] = c == 'e';
            break;
        case 'C':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
                strcmp(optarg, "never")) {
                rc = usage_error(usage_lint, "--color takes auto, always or "
                                             "never, not \"%s\"", optarg);
                goto done;
            }
            color = optarg;
            break;
        case 'q': oo.quiet = true; break;
        case 'h':
            fputs(usage_lint, stdout);
            rc = 0;
            goto done;
        default:
            fputs(usage_lint, stderr);
            goto done;
        }
    }
    if (optind >= argc) {
        rc = usage_error(usage_lint, "no input: give files, directories or - "
                                     "for stdin%s", "");
        goto done;
    }
    /* --quiet never hides what would make the exit status 1. */
    oo.quiet_min = fail_on == SEV_INFO ? SEV_INFO : SEV_WARNING;
    if (strcmp(color, "always") == 0) oo.color = true;
    else if (strcmp(color, "auto") == 0) {
        const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
        oo.color = isatty(STDOUT_FILENO) && !(nc && *nc) &&
                   !(term && strcmp(term, "dumb") == 0);
    }
    if (!(cfg = config_new()) || !(out = report_new()) ||
        !(set = set_new(out, ns))) {
        fputs("hitless: out of memory\n", stderr);
        goto done;
    }
    char *found = NULL;
    if (!config_path && !no_config) config_path = found = config_find();
    if (config_path && config_load(cfg, config_path, stderr)) {
        free(found);
        goto done;
    }
    free(found);
    for (size_t i = 0; i < ntoggles; i++)
        if (config_toggle(cfg, toggles[i], toggle_on[i], stderr)) goto done;

    input_opts iopts = {input_default_max_bytes, load_default_limits};
    int stdin_uses = 0;
    for (int i = optind; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0 && stdin_uses++) {
            rc = usage_error(usage_lint, "stdin (-) can be read only once%s", "");
            goto done;
        }
    }
    for (int i = optind; i < argc; i++) input_add_path(&in, argv[i], &iopts, set, out);
    set_index_build(set);
    engine_run(set, cfg, out);
    report_sort(out);

    int prc;
    switch (fmt) {
    case FMT_JSON: prc = output_json(stdout, out, &oo); break;
    case FMT_SARIF: prc = output_sarif(stdout, out, &oo); break;
    case FMT_GITHUB: prc = output_github(stdout, out, &oo); break;
    default: prc = output_text(stdout, out, &oo); break;
    }
    if (fflush(stdout) != 0 || prc != 0) {
        fprintf(stderr, "hitless: cannot write output: %s\n", strerror(errno));
        goto done;
    }
    bool input_error = out->input_errors > 0;
    for (size_t i = 0; i < out->n && !input_error; i++)
        input_error = finding_is_input_error(&out->items[i]);
    if (input_error) rc = 2;
    else if (fail_on != SEV_NONE && report_count(out, (severity)fail_on) > 0) rc = 1;
    else rc = 0;
done:
    set_free(set);
    inputs_free(&in);
    report_free(out);
    config_free(cfg);
    free(toggles);
    free(toggle_on);
    return rc;
}

static const char *scope_name(rule_scope s) {
    return s == SCOPE_OBJECT ? "object" : s == SCOPE_SET ? "set" : "diagnostic";
}

static int cmd_rules(int argc, char **argv) {
    const char *fmt = "text";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_rules, stdout);
            return 0;
        } else if ((strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--format") == 0) &&
                   i + 1 < argc) {
            fmt = argv[++i];
        } else if (strncmp(argv[i], "--format=", 9) == 0) {
            fmt = argv[i] + 9;
        } else {
            return usage_error(usage_rules, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (strcmp(fmt, "json") == 0) {
        printf("[\n");
        for (size_t i = 0; i < rule_count; i++) {
            const rule *r = &rule_table[i];
            printf("  {\"id\": \"%s\", \"severity\": \"%s\", \"scope\": \"%s\"}%s\n",
                   r->id, severity_name(r->sev), scope_name(r->scope),
                   i + 1 < rule_count ? "," : "");
        }
        printf("]\n");
    } else if (strcmp(fmt, "markdown") == 0) {
        printf("| id | severity | scope | what it finds |\n|---|---|---|---|\n");
        for (size_t i = 0; i < rule_count; i++) {
            const rule *r = &rule_table[i];
            printf("| `%s` | %s | %s | %s |\n", r->id, severity_name(r->sev),
                   scope_name(r->scope), r->summary);
        }
    } else if (strcmp(fmt, "text") == 0) {
        printf("%-28s %-8s %-10s %s\n", "RULE", "SEVERITY", "SCOPE", "SUMMARY");
        for (size_t i = 0; i < rule_count; i++) {
            const rule *r = &rule_table[i];
            printf("%-28s %-8s %-10s %s\n", r->id, severity_name(r->sev),
                   scope_name(r->scope), r->summary);
        }
    } else {
        return usage_error(usage_rules, "unknown format \"%s\"", fmt);
    }
    return 0;
}

static void print_wrapped(const char *text, const char *indent) {
    size_t col = 0, width = 76;
    const char *p = text;
    fputs(indent, stdout);
    while (*p) {
        const char *sp = p;
        while (*sp && *sp != ' ') sp++;
        size_t wl = (size_t)(sp - p);
        if (col && col + 1 + wl > width) {
            printf("\n%s", indent);
            col = 0;
        } else if (col) {
            putchar(' ');
            col++;
        }
        fwrite(p, 1, wl, stdout);
        col += wl;
        p = *sp ? sp + 1 : sp;
    }
    putchar('\n');
}

static int cmd_explain(int argc, char **argv) {
    if (wants_help(argc, argv)) {
        fputs(usage_explain, stdout);
        return 0;
    }
    if (argc != 2) return usage_error(usage_explain, "explain takes one rule id%s", "");
    const rule *r = rule_find(argv[1]);
    if (!r)
        return usage_error(usage_explain,
                           "unknown rule \"%s\" (see `hitless rules`)", argv[1]);
    printf("%s (%s, scope %s)\n\n", r->id, severity_name(r->sev), scope_name(r->scope));
    print_wrapped(r->summary, "  ");
    printf("\nwhy:\n");
    print_wrapped(r->why, "  ");
    printf("\nfix:\n");
    print_wrapped(r->hint, "  ");
    if (*r->fix) {
        printf("\n");
        for (const char *p = r->fix; *p;) {
            const char *nl = strchr(p, '\n');
            size_t l = nl ? (size_t)(nl - p) : strlen(p);
            printf("    %.*s\n", (int)l, p);
            p += l + (nl != NULL);
        }
    }
    if (*r->params) {
        printf("\nparameters (set under `parameters:` in .hitless.yaml):\n");
        for (size_t i = 0; i < param_count; i++)
            if (strstr(r->params, param_table[i].name)) {
                printf("  %s (default %lld)\n", param_table[i].name,
                       (long long)param_table[i].def);
                print_wrapped(param_table[i].doc, "    ");
            }
    }
    if (r->scope == SCOPE_DIAGNOSTIC) {
        printf("\nThis is a diagnostic: it cannot be disabled or suppressed.\n");
    } else {
        printf("\nsuppress for one object (the reason is required):\n"
               "    metadata:\n      annotations:\n"
               "        ignore.hitless.dev/%s: \"<why it does not apply>\"\n"
               "disable everywhere: `disable: [%s]` in .hitless.yaml, or "
               "--disable %s\n",
               r->id, r->id, r->id);
    }
    return 0;
}

#include <cjson/cJSON.h>
#include <yaml.h>

static int cmd_version(int argc, char **argv) {
    if (wants_help(argc, argv)) {
        fputs(usage_version, stdout);
        return 0;
    }
    if (argc > 1) return usage_error(usage_version, "unexpected argument \"%s\"", argv[1]);
    printf("hitless %s (libyaml %s, cJSON %s)\n", HITLESS_VERSION,
           yaml_get_version_string(), cJSON_Version());
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage_main, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) return cmd_version(1, argv + 1);
    if (strcmp(cmd, "lint") == 0) return cmd_lint(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0) return cmd_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0) return cmd_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0) return cmd_version(argc - 1, argv + 1);
    if (strcmp(cmd, "webhook") == 0) return cmd_webhook(argc - 1, argv + 1);
    if (strcmp(cmd, "certs") == 0) return cmd_certs(argc - 1, argv + 1);
    fprintf(stderr, "hitless: unknown command \"%s\"\n", cmd);
    fputs(usage_main, stderr);
    return 2;
}
