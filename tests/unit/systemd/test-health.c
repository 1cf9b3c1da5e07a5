/* SPDX-License-Identifier: Apache-2.0 */
/* health.c: flag parsing as podman's, the status state machine driven with
 * fake times and results, the schedule, health.json as podman inspect shows
 * it, and health_run with a fake exec hook. Also duration.c. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "systemd/duration.h"
#include "systemd/health.h"

#define S ((gint64) G_USEC_PER_SEC)
#define T0 (1704067200LL * S)

static HealthResult
result (gint64 end, int code)
{
  return (HealthResult){ .start_usec = end - S / 10, .end_usec = end, .exit_code = code,
                         .output = code ? "fail\n" : "ok\n" };
}

static void
config (HealthConfig *c, const char *cmd)
{
  health_config_init (c);
  cr_assert (health_parse_command (cmd, &c->test, NULL));
}

Test (health, durations)
{
  gint64 v;
  cr_assert (duration_parse ("30s", &v, NULL));
  cr_assert_eq (v, 30 * S);
  cr_assert (duration_parse ("1m30s", &v, NULL));
  cr_assert_eq (v, 90 * S);
  cr_assert (duration_parse ("500ms", &v, NULL));
  cr_assert_eq (v, S / 2);
  cr_assert (duration_parse ("1.5h", &v, NULL));
  cr_assert_eq (v, 5400 * S);
  cr_assert (duration_parse ("2us", &v, NULL));
  cr_assert_eq (v, 2);
  cr_assert (duration_parse ("0", &v, NULL));
  cr_assert_eq (v, 0);
  cr_assert_not (duration_parse ("30", &v, NULL), "Go wants a unit");
  cr_assert_not (duration_parse ("s", &v, NULL));
  cr_assert_not (duration_parse ("5 s", &v, NULL));
  cr_assert_not (duration_parse ("", &v, NULL));
  cr_assert (health_parse_interval ("disable", &v, NULL));
  cr_assert_eq (v, 0);
  cr_assert_not (health_parse_interval ("-1s", &v, NULL));
}

Test (health, commands_as_podman_reads_them)
{
  g_auto (GStrv) shell = NULL, exec = NULL, cmd = NULL, one = NULL, sh2 = NULL, none = NULL;
  g_autoptr (GError) error = NULL;
  cr_assert (health_parse_command ("curl -f http://localhost/ || exit 1", &shell, NULL));
  cr_assert_str_eq (shell[0], "CMD-SHELL");
  cr_assert_str_eq (shell[1], "curl -f http://localhost/ || exit 1");
  g_auto (GStrv) argv = health_command_argv (shell);
  cr_assert_str_eq (argv[0], "/bin/sh");
  cr_assert_str_eq (argv[1], "-c");
  cr_assert_str_eq (argv[2], "curl -f http://localhost/ || exit 1");
  cr_assert_null (argv[3]);

  cr_assert (health_parse_command ("[\"/bin/check\", \"--quick\"]", &exec, NULL));
  cr_assert_str_eq (exec[0], "CMD");
  g_auto (GStrv) argv2 = health_command_argv (exec);
  cr_assert_str_eq (argv2[0], "/bin/check");
  cr_assert_str_eq (argv2[1], "--quick");
  cr_assert_null (argv2[2]);

  cr_assert (health_parse_command ("[\"CMD\", \"true\"]", &cmd, NULL));
  g_auto (GStrv) argv3 = health_command_argv (cmd);
  cr_assert_str_eq (argv3[0], "true");
  cr_assert (health_parse_command ("[\"CMD-SHELL\", \"exit 0\"]", &sh2, NULL));
  cr_assert_str_eq (sh2[1], "exit 0");
  cr_assert (health_parse_command ("[\"echo hi\"]", &one, NULL));
  cr_assert_str_eq (one[0], "CMD-SHELL", "a one-element array is a shell command");
  cr_assert (health_parse_command ("none", &none, NULL));
  cr_assert_null (none);
  char **bad = NULL;
  cr_assert_not (health_parse_command ("[\"CMD\"]", &bad, &error));
  cr_assert_not (health_parse_command ("", &bad, NULL));
  /* Not JSON after all: a shell command like any other string. */
  g_auto (GStrv) notjson = NULL;
  cr_assert (health_parse_command ("[ -f /ready ]", &notjson, NULL));
  cr_assert_str_eq (notjson[1], "[ -f /ready ]");

  HealthOnFailure a;
  cr_assert (health_on_failure_from_string ("restart", &a, NULL));
  cr_assert_eq (a, HEALTH_ON_FAILURE_RESTART);
  cr_assert_not (health_on_failure_from_string ("reboot", &a, NULL));
}

Test (health, validate)
{
  HealthConfig c;
  g_autoptr (GError) error = NULL;
  health_config_init (&c);
  cr_assert (health_parse_command ("true", &c.startup_test, NULL));
  cr_assert_not (health_config_validate (&c, &error));
  cr_assert (strstr (error->message, "startup"));
  cr_assert (health_parse_command ("true", &c.test, NULL));
  cr_assert (health_config_validate (&c, NULL));
  c.retries = 0;
  cr_assert_not (health_config_validate (&c, NULL));
  health_config_clear (&c);
}

Test (health, start_period_then_retries_then_unhealthy_with_action)
{
  HealthConfig c;
  HealthOutcome o;
  g_autoptr (HealthState) s = health_state_new ();
  config (&c, "check");
  c.start_period_usec = 60 * S;
  c.retries = 2;
  c.on_failure = HEALTH_ON_FAILURE_KILL;

  HealthResult r = result (T0 + 10 * S, 1);
  health_record (&c, s, FALSE, &r, T0, &o);
  cr_assert_eq (s->status, HEALTH_STARTING);
  cr_assert_eq (s->failing_streak, 0, "failures in the start period do not count");
  cr_assert_eq (o.action, HEALTH_ON_FAILURE_NONE);

  r = result (T0 + 70 * S, 1);
  health_record (&c, s, FALSE, &r, T0, &o);
  cr_assert_eq (s->failing_streak, 1);
  cr_assert_eq (s->status, HEALTH_STARTING);
  cr_assert_not (o.passed);

  r = result (T0 + 100 * S, 1);
  health_record (&c, s, FALSE, &r, T0, &o);
  cr_assert_eq (s->status, HEALTH_UNHEALTHY);
  cr_assert (o.status_changed);
  cr_assert_eq (o.action, HEALTH_ON_FAILURE_KILL);

  r = result (T0 + 130 * S, 0);
  health_record (&c, s, FALSE, &r, T0, &o);
  cr_assert_eq (s->status, HEALTH_HEALTHY);
  cr_assert_eq (s->failing_streak, 0);
  cr_assert (o.passed && o.status_changed);
  cr_assert_eq (o.action, HEALTH_ON_FAILURE_NONE);
  cr_assert_eq (s->log->len, 4);
  health_config_clear (&c);
}

Test (health, pass_in_start_period_ends_the_grace)
{
  HealthConfig c;
  HealthOutcome o;
  g_autoptr (HealthState) s = health_state_new ();
  config (&c, "check");
  c.start_period_usec = 60 * S;
  c.retries = 1;
  c.on_failure = HEALTH_ON_FAILURE_STOP;
  HealthResult r = result (T0 + 5 * S, 0);
  health_record (&c, s, FALSE, &r, T0, &o);
  cr_assert_eq (s->status, HEALTH_HEALTHY);
  r = result (T0 + 10 * S, 1);
  health_record (&c, s, FALSE, &r, T0, &o);
  cr_assert_eq (s->status, HEALTH_UNHEALTHY, "once healthy, failures count at once");
  cr_assert_eq (o.action, HEALTH_ON_FAILURE_STOP);
  health_config_clear (&c);
}

Test (health, timeout_is_a_failure_with_a_message)
{
  HealthConfig c;
  HealthOutcome o;
  g_autoptr (HealthState) s = health_state_new ();
  config (&c, "sleep 100");
  c.retries = 1;
  c.timeout_usec = 2 * S;
  HealthResult r = result (T0 + 3 * S, 0);
  r.timed_out = TRUE;
  health_record (&c, s, FALSE, &r, T0, &o);
  cr_assert_not (o.passed);
  cr_assert_eq (s->status, HEALTH_UNHEALTHY);
  HealthLogEntry *e = s->log->pdata[0];
  cr_assert_eq (e->exit_code, 1);
  cr_assert_str_eq (e->output, "healthcheck command exceeded timeout of 2s");
  health_config_clear (&c);
}

Test (health, log_keeps_five_runs_and_500_chars)
{
  HealthConfig c;
  HealthOutcome o;
  g_autoptr (HealthState) s = health_state_new ();
  config (&c, "x");
  g_autofree char *big = g_strnfill (800, 'y');
  for (int i = 0; i < 7; i++)
    {
      HealthResult r = result (T0 + i * S, i);
      r.output = i == 6 ? big : "out";
      health_record (&c, s, FALSE, &r, T0, &o);
    }
  cr_assert_eq (s->log->len, 5);
  cr_assert_eq (((HealthLogEntry *) s->log->pdata[0])->exit_code, 2, "oldest dropped first");
  cr_assert_eq (strlen (((HealthLogEntry *) s->log->pdata[4])->output), 500);
  health_config_clear (&c);
}

Test (health, startup_check_gates_the_regular_one)
{
  HealthConfig c;
  HealthOutcome o;
  g_autoptr (HealthState) s = health_state_new ();
  config (&c, "regular");
  cr_assert (health_parse_command ("startup", &c.startup_test, NULL));
  c.startup_interval_usec = 5 * S;
  c.startup_success = 2;
  c.startup_retries = 3;

  HealthResult r = result (T0 + S, 1);
  health_record (&c, s, TRUE, &r, T0, &o);
  r = result (T0 + 6 * S, 0);
  health_record (&c, s, TRUE, &r, T0, &o);
  cr_assert_not (s->startup_passed, "two passes wanted");
  cr_assert_eq (s->status, HEALTH_STARTING);
  r = result (T0 + 11 * S, 0);
  health_record (&c, s, TRUE, &r, T0, &o);
  cr_assert (s->startup_passed);
  cr_assert_eq (s->status, HEALTH_STARTING, "the regular check decides the status");
  health_config_clear (&c);
}

Test (health, startup_retries_restart_the_container)
{
  HealthConfig c;
  HealthOutcome o;
  g_autoptr (HealthState) s = health_state_new ();
  config (&c, "regular");
  cr_assert (health_parse_command ("startup", &c.startup_test, NULL));
  c.startup_retries = 2;
  HealthResult r = result (T0 + S, 1);
  health_record (&c, s, TRUE, &r, T0, &o);
  cr_assert_eq (o.action, HEALTH_ON_FAILURE_NONE);
  health_record (&c, s, TRUE, &r, T0, &o);
  cr_assert_eq (o.action, HEALTH_ON_FAILURE_RESTART);
  health_state_reset (s);
  cr_assert_eq (s->startup_failures, 0);
  cr_assert_eq (s->log->len, 2, "the log survives a restart");
  health_config_clear (&c);
}

Test (health, timer_interval)
{
  HealthConfig c;
  health_config_init (&c);
  cr_assert_eq (health_timer_interval (&c), 0, "no command: no timer");
  cr_assert (health_parse_command ("x", &c.test, NULL));
  cr_assert_eq (health_timer_interval (&c), 30 * S);
  cr_assert (health_parse_command ("boot", &c.startup_test, NULL));
  c.startup_interval_usec = 2 * S;
  cr_assert_eq (health_timer_interval (&c), 2 * S, "the supervisor ticks for the startup check");
  g_clear_pointer (&c.startup_test, g_strfreev);
  c.interval_usec = 0;
  cr_assert_eq (health_timer_interval (&c), 0, "interval disabled: only healthcheck run");
  health_config_clear (&c);
}

Test (health, state_json_round_trip_as_inspect_shows_it)
{
  HealthConfig c;
  HealthOutcome o;
  g_autoptr (HealthState) s = health_state_new ();
  config (&c, "x");
  c.retries = 1;
  HealthResult r = result (T0 + 1500000, 3);
  health_record (&c, s, FALSE, &r, T0, &o);
  g_autofree char *json = health_state_to_json (s);
  cr_assert (strstr (json, "\"Status\":\"unhealthy\""), "%s", json);
  cr_assert (strstr (json, "\"FailingStreak\":1"), "%s", json);
  cr_assert (strstr (json, "\"ExitCode\":3"), "%s", json);
  cr_assert (strstr (json, "\"Output\":\"fail\\n\""), "%s", json);
  cr_assert (strstr (json, "\"Start\":\"2024-01-01T"), "%s", json);

  g_autoptr (HealthState) back = health_state_from_json (json, NULL);
  cr_assert_not_null (back);
  cr_assert_eq (back->status, HEALTH_UNHEALTHY);
  cr_assert_eq (back->failing_streak, 1);
  cr_assert_eq (back->log->len, 1);
  HealthLogEntry *e = back->log->pdata[0];
  cr_assert_eq (e->end_usec, T0 + 1500000);
  cr_assert_eq (e->start_usec, T0 + 1400000);
  cr_assert_str_eq (e->output, "fail\n");
  cr_assert_null (health_state_from_json ("[1]", NULL));
  g_autoptr (JsonNode) insp = health_state_to_inspect (s);
  JsonObject *io = json_node_get_object (insp);
  cr_assert_str_eq (json_object_get_string_member (io, "Status"), "unhealthy");
  cr_assert_eq (json_array_get_length (json_object_get_array_member (io, "Log")), 1);
  cr_assert_not (json_object_has_member (io, "StartupPassed"), "only podman's fields");
  health_config_clear (&c);
}

/* Found by tests/fuzz (imageconfig): members of the wrong type went to
 * json-glib's typed getters (GLib criticals, garbage values); each is now
 * an error naming the member. */
Test (health, config_json_wrong_types)
{
  static const char *const bad[][2] = {
    { "{\"Test\": [\"CMD\", 1]}", "Healthcheck Test is not an array of strings" },
    { "{\"Test\": \"CMD true\"}", "Healthcheck Test is not an array of strings" },
    { "{\"Interval\": \"30s\"}", "Healthcheck Interval is not an integer" },
    { "{\"Retries\": {}}", "Healthcheck Retries is not an integer" },
    { "{\"OnFailure\": []}", "Healthcheck OnFailure is not a string" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonNode) n = json_from_string (bad[i][0], NULL);
      g_autoptr (GError) error = NULL;
      HealthConfig c;
      cr_assert_not (health_config_from_json (n, &c, &error), "%s", bad[i][0]);
      cr_assert_str_eq (error->message, bad[i][1]);
      health_config_clear (&c);
    }
  {
    g_autoptr (JsonNode) n = json_from_string ("{\"Test\": [\"NONE\"], \"Retries\": -4}", NULL);
    HealthConfig c;
    cr_assert (health_config_from_json (n, &c, NULL));
    cr_assert_eq (c.retries, 0, "a negative count is 0, not 4 billion");
    health_config_clear (&c);
  }
}

Test (health, config_json_round_trip)
{
  HealthConfig c, back;
  config (&c, "[\"CMD\", \"/check\", \"-v\"]");
  c.interval_usec = 10 * S;
  c.start_period_usec = 5 * S;
  c.on_failure = HEALTH_ON_FAILURE_RESTART;
  cr_assert (health_parse_command ("boot-check", &c.startup_test, NULL));
  c.startup_success = 2;
  g_autoptr (JsonNode) n = health_config_to_json (&c);
  JsonObject *o = json_node_get_object (n);
  cr_assert_eq (json_object_get_int_member (o, "Interval"), 10000000000LL, "nanoseconds");
  cr_assert (health_config_from_json (n, &back, NULL));
  cr_assert_str_eq (back.test[1], "/check");
  cr_assert_eq (back.interval_usec, 10 * S);
  cr_assert_eq (back.start_period_usec, 5 * S);
  cr_assert_eq (back.timeout_usec, HEALTH_DEFAULT_TIMEOUT);
  cr_assert_eq (back.on_failure, HEALTH_ON_FAILURE_RESTART);
  cr_assert_str_eq (back.startup_test[1], "boot-check");
  cr_assert_eq (back.startup_success, 2);
  health_config_clear (&c);
  health_config_clear (&back);
}

typedef struct
{
  int calls;
  int code;
  gboolean timeout;
  char **seen;
} FakeExec;

static gboolean
fake_exec (char **argv, gint64 timeout, int *code, gboolean *timed_out, char **output,
           gpointer data, GError **error)
{
  FakeExec *f = data;
  f->calls++;
  g_strfreev (f->seen);
  f->seen = g_strdupv (argv);
  *code = f->code;
  *timed_out = f->timeout;
  *output = g_strdup_printf ("run %d", f->calls);
  return TRUE;
}

Test (health, run_records_into_the_file)
{
  g_autofree char *dir = g_dir_make_tmp ("health-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "health.json", NULL);
  HealthConfig c;
  HealthOutcome o;
  HealthStatus st;
  FakeExec f = { 0 };
  config (&c, "test -f /ready");
  c.retries = 2;

  f.code = 1;
  cr_assert (health_run (path, &c, FALSE, T0, fake_exec, &f, &o, &st, NULL));
  cr_assert_str_eq (f.seen[2], "test -f /ready");
  cr_assert_eq (st, HEALTH_STARTING);
  f.code = 0;
  cr_assert (health_run (path, &c, FALSE, T0, fake_exec, &f, &o, &st, NULL));
  cr_assert_eq (st, HEALTH_HEALTHY);
  cr_assert (o.passed);

  g_autoptr (HealthState) s = health_state_load (path, NULL);
  cr_assert_eq (s->status, HEALTH_HEALTHY);
  cr_assert_eq (s->log->len, 2);
  cr_assert_str_eq (((HealthLogEntry *) s->log->pdata[1])->output, "run 2");

  g_autoptr (GError) error = NULL;
  HealthConfig none;
  health_config_init (&none);
  cr_assert_not (health_run (path, &none, FALSE, T0, fake_exec, &f, &o, &st, &error));
  cr_assert (strstr (error->message, "no defined healthcheck"));
  g_autofree char *missing = g_build_filename (dir, "nothing.json", NULL);
  g_autoptr (HealthState) fresh = health_state_load (missing, NULL);
  cr_assert_eq (fresh->status, HEALTH_STARTING);
  g_strfreev (f.seen);
  health_config_clear (&c);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  cr_assert_eq (system (cmd), 0);
}

Test (health, flags_to_config_and_file)
{
  HealthFlags f = HEALTH_FLAGS_INIT;
  HealthConfig c, back;
  g_autoptr (GError) error = NULL;
  f.cmd = g_strdup ("wget -q -O- localhost");
  f.interval = g_strdup ("10s");
  f.retries = 5;
  f.start_period = g_strdup ("1m");
  f.on_failure = g_strdup ("stop");
  cr_assert (health_config_from_flags (&f, &c, &error), "%s", error ? error->message : "");
  cr_assert_str_eq (c.test[0], "CMD-SHELL");
  cr_assert_eq (c.interval_usec, 10 * S);
  cr_assert_eq (c.retries, 5);
  cr_assert_eq (c.start_period_usec, 60 * S);
  cr_assert_eq (c.timeout_usec, HEALTH_DEFAULT_TIMEOUT);
  cr_assert_eq (c.on_failure, HEALTH_ON_FAILURE_STOP);

  g_autofree char *dir = g_dir_make_tmp ("health-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, HEALTH_CONFIG_FILE, NULL);
  cr_assert (health_config_save (&c, path, NULL));
  health_config_clear (&c);
  cr_assert (health_config_load (path, &back, NULL));
  cr_assert_str_eq (back.test[1], "wget -q -O- localhost");
  cr_assert_eq (back.retries, 5);
  health_config_clear (&back);
  g_autofree char *none = g_build_filename (dir, "none.json", NULL);
  cr_assert_not (health_config_load (none, &back, &error));

  HealthFlags bad = HEALTH_FLAGS_INIT;
  bad.cmd = g_strdup ("x");
  bad.timeout = g_strdup ("ten");
  cr_assert_not (health_config_from_flags (&bad, &c, NULL));
  HealthFlags startup_only = HEALTH_FLAGS_INIT;
  startup_only.startup_cmd = g_strdup ("x");
  cr_assert_not (health_config_from_flags (&startup_only, &c, NULL));
  health_flags_clear (&f);
  health_flags_clear (&bad);
  health_flags_clear (&startup_only);
  health_config_clear (&back);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  cr_assert_eq (system (cmd), 0);
}
