/* test_prestop.c: preStop durations, sleep operands, shell scripts as PID 1
 * (rules/helpers.c).  Lifecycle trees come from YAML through the loader. */
#include "util.h"

enum { UNKNOWN = -1 };

/* The preStop duration of a lifecycle written in YAML, or UNKNOWN. */
static long long ps(const char *yaml) {
    arena *a = arena_new();
    const node *lc = yaml1(a, yaml);
    int64_t ms = -777;
    long long r = lc && prestop_duration_ms(lc, &ms) ? ms : UNKNOWN;
    if (!lc) r = -12345;
    arena_free(a);
    return r;
}

/* An exec preStop from a flow sequence, e.g. `[sleep, "15"]`. */
static long long ps_exec(const char *flow_command) {
    char buf[1024];
    snprintf(buf, sizeof buf, "preStop:\n  exec:\n    command: %s\n",
             flow_command);
    return ps(buf);
}

/* A `sh -c SCRIPT` preStop; the script is passed as a YAML literal so that
 * no quoting gets in the way. */
static long long ps_sh(const char *script) {
    char buf[2048];
    size_t n = (size_t)snprintf(buf, sizeof buf,
                                "preStop:\n  exec:\n    command:\n"
                                "    - /bin/sh\n    - -c\n    - |\n");
    for (const char *p = script; *p && n + 16 < sizeof buf;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "      %.*s\n",
                              (int)len, p);
        p += len + (nl != NULL);
    }
    return ps(buf);
}

static long long script_ms(const char *script) {
    int64_t ms = -777;
    return shell_script_sleep_ms(script, &ms) ? ms : UNKNOWN;
}

static long long args_ms(const char *const *argv, size_t argc) {
    int64_t ms = -777;
    return sleep_args_ms(argv, argc, &ms) ? ms : UNKNOWN;
}

#define ARGV(...) ((const char *const[]){__VA_ARGS__})
#define NARGS(...) (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))
#define SCRIPT(...) shell_c_script(ARGV(__VA_ARGS__), NARGS(__VA_ARGS__))

static void test_native_and_exec(void) {
    /* Native sleep action. */
    CHECK_INT(ps("preStop:\n  sleep:\n    seconds: 5\n"), 5000);
    CHECK_INT(ps("preStop: {sleep: {seconds: 0}}"), 0);
    CHECK_INT(ps("preStop: {sleep: {seconds: -1}}"), UNKNOWN);
    CHECK_INT(ps("preStop: {sleep: {seconds: '5'}}"), UNKNOWN);
    CHECK_INT(ps("preStop: {sleep: {seconds: 1.5}}"), UNKNOWN);
    CHECK_INT(ps("preStop: {sleep: {}}"), UNKNOWN);
    CHECK_INT(ps("preStop: {sleep: {seconds: 3600}}"), 3600000);
    /* Too large to express in milliseconds without overflow: unknown, as
     * sleep_args_ms treats absurd durations (and no UB under UBSan). */
    CHECK_INT(ps("preStop: {sleep: {seconds: 9223372036854775807}}"), UNKNOWN);
    CHECK_INT(ps("preStop: {sleep: {seconds: 9223372036854776}}"), UNKNOWN);

    /* exec: sleep N. */
    CHECK_INT(ps_exec("[sleep, '15']"), 15000);
    CHECK_INT(ps_exec("[sleep, 15]"), 15000); /* an int item still reads */
    CHECK_INT(ps_exec("[/bin/sleep, 1m]"), 60000);
    CHECK_INT(ps_exec("[sleep, '1.5']"), 1500);
    CHECK_INT(ps_exec("[sleep, .5]"), 500);
    CHECK_INT(ps_exec("[sleep, 2h]"), 7200000);
    CHECK_INT(ps_exec("[sleep, 1d]"), 86400000);
    CHECK_INT(ps_exec("[sleep, 30s]"), 30000);
    CHECK_INT(ps_exec("[sleep, '5', '10']"), 15000);
    CHECK_INT(ps_exec("[sleep, 1m, 30s]"), 90000);
    CHECK_INT(ps_exec("[sleep, infinity]"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep, inf]"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep, nan]"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep, '-1']"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep, 5x]"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep, 5ss]"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep, '5', abc]"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep]"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep, '']"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep, ' 5']"), UNKNOWN);
    CHECK_INT(ps_exec("[sleeper, '5']"), UNKNOWN);
    CHECK_INT(ps_exec("[nginx, -s, quit]"), UNKNOWN);
    CHECK_INT(ps_exec("[]"), UNKNOWN);
    CHECK_INT(ps_exec("[sleep, [5]]"), UNKNOWN);
    CHECK_INT(ps("preStop:\n  exec:\n    command: sleep 5\n"), UNKNOWN);

    /* Shell forms. */
    CHECK_INT(ps_exec("[/bin/sh, -c, sleep 5]"), 5000);
    CHECK_INT(ps_exec("[bash, -c, 'sleep 5; nginx -s quit; sleep 2']"), 7000);
    CHECK_INT(ps_exec("[sh, -ec, sleep 3]"), 3000);
    CHECK_INT(ps_exec("[/usr/bin/env, bash, -c, sleep 4]"), 4000);
    CHECK_INT(ps_exec("[bash, -o, pipefail, -c, sleep 6]"), 6000);
    /* The common Dockerfile SHELL: -o inside a cluster takes pipefail. */
    CHECK_INT(ps_exec("[bash, -euo, pipefail, -c, sleep 6]"), 6000);
    CHECK_INT(ps_exec("[sh, sleep 5]"), UNKNOWN); /* a script file */
    CHECK_INT(ps_exec("[python, -c, sleep 5]"), UNKNOWN);
    CHECK_INT(ps_sh("sleep '5'"), 5000);
    CHECK_INT(ps_sh("sleep \"5\""), 5000);
    CHECK_INT(ps_sh("sleep $X"), UNKNOWN);
    CHECK_INT(ps_sh("sleep \"${DELAY:-5}\""), UNKNOWN);
    CHECK_INT(ps_sh("while true; do sleep 1; done"), UNKNOWN);
    CHECK_INT(ps_sh("for i in 1 2 3; do sleep 1; done"), UNKNOWN);
    CHECK_INT(ps_sh("until false; do sleep 1; done"), UNKNOWN);
    CHECK_INT(ps_sh("nginx -s quit"), UNKNOWN);
    CHECK_INT(ps_sh("# drain first\nsleep 10 # wait for the LB\nnginx -s quit"),
              10000);
    CHECK_INT(ps_sh("echo '# not a comment'; sleep 2"), 2000);
    CHECK_INT(ps_sh("echo \"sleep 100\"; sleep 2"), 2000); /* an argument */
    CHECK_INT(ps_sh("sleep 1\nsleep 2 && sleep 3 || true"), 6000);
    CHECK_INT(ps_sh("exec sleep 5"), 5000);
    CHECK_INT(ps_sh("FOO=1 /bin/sleep 5"), 5000);
    CHECK_INT(ps_sh("sleep 5 \\\n  10"), 15000); /* line continuation */

    /* Hooks other than exec and sleep have no known duration. */
    CHECK_INT(ps("preStop:\n  httpGet:\n    path: /drain\n    port: 8080\n"),
              UNKNOWN);
    CHECK_INT(ps("preStop:\n  tcpSocket:\n    port: 8080\n"), UNKNOWN);
    CHECK_INT(ps("postStart:\n  exec:\n    command: [sleep, '5']\n"), UNKNOWN);
    CHECK_INT(ps("preStop: [sleep, '5']"), UNKNOWN);
    {
        int64_t ms = 1;
        CHECK(!prestop_duration_ms(NULL, &ms));
    }
}

static void test_sleep_args_and_scripts(void) {
    CHECK_INT(args_ms(ARGV("5"), 1), 5000);
    CHECK_INT(args_ms(ARGV("0.001"), 1), 1);
    CHECK_INT(args_ms(ARGV("1m", "1s"), 2), 61000);
    CHECK_INT(args_ms(ARGV("--", "5"), 2), UNKNOWN);
    CHECK_INT(args_ms(ARGV("5"), 0), UNKNOWN);
    CHECK_INT(args_ms(ARGV("99999999999d"), 1), UNKNOWN); /* absurdly long */

    CHECK_INT(script_ms("sleep 5"), 5000);
    CHECK_INT(script_ms("  sleep\t5  "), 5000);
    CHECK_INT(script_ms("(sleep 2); { sleep 3; }"), 5000);
    CHECK_INT(script_ms("sleep 'unterminated"), UNKNOWN);
    CHECK_INT(script_ms(""), UNKNOWN);
    CHECK_INT(script_ms("# only a comment"), UNKNOWN);
    /* Scripts written on Windows (CRLF) or with other blanks must neither
     * hang nor lose the sleep. */
    CHECK_INT(script_ms("sleep 5\r\nnginx -s quit\r\n"), 5000);
    CHECK_INT(script_ms("sleep\v5\f"), 5000);
}

static void test_shell_c_script(void) {
    CHECK_STR(SCRIPT("sh", "-c", "echo hi"), "echo hi");
    CHECK_STR(SCRIPT("/bin/bash", "-ec", "x"), "x");
    CHECK_STR(SCRIPT("bash", "-lc", "x"), "x");
    CHECK_STR(SCRIPT("bash", "-o", "pipefail", "-c", "x"), "x");
    CHECK_STR(SCRIPT("bash", "-euo", "pipefail", "-c", "x"), "x");
    CHECK_STR(SCRIPT("bash", "-e", "-o", "pipefail", "-u", "-c", "x"), "x");
    CHECK_STR(SCRIPT("sh", "-c", "x", "name", "arg1"), "x");
    CHECK_STR(SCRIPT("sh", "-c", "-e", "x"), "x"); /* options after -c */
    CHECK_STR(SCRIPT("sh", "-x", "-c", "--", "x"), "x");
    CHECK_STR(SCRIPT("bash", "--login", "-c", "x"), "x");
    CHECK_STR(SCRIPT("dash", "-c", "x"), "x");
    CHECK_STR(SCRIPT("/bin/ash", "-c", "x"), "x");
    CHECK_STR(SCRIPT("env", "FOO=1", "sh", "-c", "x"), "x");
    CHECK_STR(SCRIPT("/usr/bin/env", "-i", "bash", "-c", "x"), "x");
    /* Not a shell running a -c script. */
    CHECK_STR(SCRIPT("python", "-c", "x"), NULL);
    CHECK_STR(SCRIPT("node", "-e", "x"), NULL);
    CHECK_STR(SCRIPT("sh", "script.sh"), NULL);
    CHECK_STR(SCRIPT("sh", "-e", "script.sh"), NULL);
    CHECK_STR(SCRIPT("bash", "--rcfile", "x"), NULL); /* no -c */
    CHECK_STR(SCRIPT("sh", "-c"), NULL);              /* no script */
    CHECK_STR(SCRIPT("sh"), NULL);
    CHECK_STR(SCRIPT("env"), NULL);
    CHECK_STR(SCRIPT("env", "sleep", "5"), NULL);
    CHECK_STR(SCRIPT("shell", "-c", "x"), NULL);
    CHECK_STR(shell_c_script(NULL, 0), NULL);
}

static bool fwd(const char *script) { return shell_script_forwards_sigterm(script); }

static void test_forwards_sigterm(void) {
    CHECK(fwd("exec app"));
    CHECK(fwd("setup && exec app"));
    CHECK(fwd("setup; exec /usr/bin/app --port 80"));
    CHECK(!fwd("setup; app"));
    CHECK(!fwd("app"));
    CHECK(!fwd("app &"));
    CHECK(!fwd("exec app &"));
    CHECK(!fwd("exec app &\n"));
    CHECK(fwd("trap 'kill $PID' TERM; app & PID=$!; wait"));
    CHECK(fwd("trap 'kill $PID' SIGTERM INT\napp &\nPID=$!\nwait $PID"));
    CHECK(fwd("trap 'kill $PID' 15; app & PID=$!; wait"));
    CHECK(!fwd("trap 'cleanup' EXIT; app"));
    CHECK(!fwd("echo trap TERM; app")); /* trap as an argument */
    CHECK(fwd("set -e\nsetup --init\n\nexec app --port 80\n"));
    CHECK(fwd("set -e\n# start\nexec app\n# done\n"));
    CHECK(!fwd("set -e\nexec setup\napp\n"));
    CHECK(fwd("echo 'a;b'; exec app"));
    CHECK(fwd("exec nginx -g 'daemon off;'"));
    CHECK(fwd("exec app --sep \";&|\""));
    CHECK(!fwd("echo 'exec app'"));
    CHECK(!fwd("echo \"exec app\"; app"));
    CHECK(fwd("FOO=bar BAZ=1 exec app"));
    CHECK(fwd("exec app \\\n  --flag"));
    CHECK(fwd("exec app # run it"));
    CHECK(!fwd(""));
    /* Redirections that use & are not background operators. */
    CHECK(fwd("exec app 2>&1"));
    CHECK(fwd("exec nginx -g 'daemon off;' >/dev/stdout 2>&1"));
    CHECK(fwd("exec app &>/dev/null"));
    CHECK(!fwd("app 2>&1"));
    CHECK(!fwd("exec app 2>&1 &"));
    /* CRLF scripts: no hang, and the exec is still seen. */
    CHECK(fwd("setup\r\nexec app\r\n"));
    CHECK(!fwd("setup\r\napp\r\n"));
    /* Unreadable scripts are not guessed at. */
    CHECK(fwd("exec 'app"));
}

void test_prestop(void) {
    test_native_and_exec();
    test_sleep_args_and_scripts();
    test_shell_c_script();
    test_forwards_sigterm();
}
