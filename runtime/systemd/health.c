/* SPDX-License-Identifier: Apache-2.0 */
/* Health checks: config, the status state machine, its file, and the
 * scheduling decision; see health.h for podman's semantics. */
#include "systemd/health.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"
#include "json-strv.h"
#include "systemd/duration.h"

void
health_config_init (HealthConfig *c)
{
  memset (c, 0, sizeof *c);
  c->interval_usec = HEALTH_DEFAULT_INTERVAL;
  c->timeout_usec = HEALTH_DEFAULT_TIMEOUT;
  c->retries = HEALTH_DEFAULT_RETRIES;
  c->startup_interval_usec = HEALTH_DEFAULT_INTERVAL;
  c->startup_timeout_usec = HEALTH_DEFAULT_TIMEOUT;
}

void
health_config_clear (HealthConfig *c)
{
  g_clear_pointer (&c->test, g_strfreev);
  g_clear_pointer (&c->startup_test, g_strfreev);
}

static gboolean
bad_value (GError **error, const char *what, const char *s)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "invalid %s \"%s\"", what,
               s ? s : "");
  return FALSE;
}

static char **
strv_prepend (const char *first, char **rest)
{
  guint n = g_strv_length (rest);
  char **v = g_new0 (char *, n + 2);
  v[0] = g_strdup (first);
  for (guint i = 0; i < n; i++)
    v[i + 1] = g_strdup (rest[i]);
  return v;
}

gboolean
health_parse_command (const char *s, char ***test, GError **error)
{
  g_auto (GStrv) arr = NULL;

  *test = NULL;
  if (!s || !*s)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "a healthcheck command must not be empty");
      return FALSE;
    }
  if (g_ascii_strcasecmp (s, "none") == 0)
    return TRUE;
  arr = s[0] == '[' ? json_strv_parse (s, NULL) : NULL;
  if (arr)
    {
      if (!arr[0] || (g_str_equal (arr[0], "CMD") && !arr[1])
          || (g_str_equal (arr[0], "CMD-SHELL") && (!arr[1] || arr[2])))
        return bad_value (error, "healthcheck command", s);
      if (g_str_equal (arr[0], "NONE"))
        return TRUE;
      if (g_str_equal (arr[0], "CMD") || g_str_equal (arr[0], "CMD-SHELL"))
        *test = g_steal_pointer (&arr);
      else if (arr[1])
        *test = strv_prepend ("CMD", arr); /* an exec array */
      else
        {
          /* One element: a shell command, as podman. */
          char *v[] = { "CMD-SHELL", arr[0], NULL };
          *test = g_strdupv (v);
        }
      return TRUE;
    }
  char *v[] = { "CMD-SHELL", (char *) s, NULL };
  *test = g_strdupv (v);
  return TRUE;
}

char **
health_command_argv (char *const *test)
{
  if (!test || !test[0] || !test[1])
    return NULL;
  if (g_str_equal (test[0], "CMD-SHELL"))
    {
      char *v[] = { "/bin/sh", "-c", test[1], NULL };
      return g_strdupv (v);
    }
  return g_strdupv ((char **) test + 1);
}

gboolean
health_on_failure_from_string (const char *s, HealthOnFailure *out, GError **error)
{
  static const char *const names[] = { "none", "kill", "restart", "stop" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (s, names[i]) == 0)
      {
        *out = (HealthOnFailure) i;
        return TRUE;
      }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "invalid --health-on-failure \"%s\": must be none, kill, restart or stop",
               s ? s : "");
  return FALSE;
}

const char *
health_on_failure_to_string (HealthOnFailure a)
{
  static const char *const names[] = { "none", "kill", "restart", "stop" };
  return a <= HEALTH_ON_FAILURE_STOP ? names[a] : "none";
}

gboolean
health_parse_interval (const char *s, gint64 *usec, GError **error)
{
  if (g_strcmp0 (s, "disable") == 0)
    {
      *usec = 0;
      return TRUE;
    }
  if (!duration_parse (s, usec, NULL) || *usec < 0)
    return bad_value (error, "healthcheck interval", s);
  return TRUE;
}

gboolean
health_config_validate (const HealthConfig *c, GError **error)
{
  if (c->startup_test && !c->test)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "a startup healthcheck needs a regular one (--health-cmd)");
      return FALSE;
    }
  if (c->test && c->retries < 1)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "healthcheck-retries must be greater than 0");
      return FALSE;
    }
  if (c->test && (c->timeout_usec < G_USEC_PER_SEC || (c->startup_test && c->startup_timeout_usec < G_USEC_PER_SEC)))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "healthcheck-timeout must be at least 1 second");
      return FALSE;
    }
  return TRUE;
}

void
health_flags_clear (HealthFlags *f)
{
  char **strs[] = { &f->cmd, &f->interval, &f->timeout, &f->start_period, &f->on_failure,
                    &f->startup_cmd, &f->startup_interval, &f->startup_timeout };
  for (gsize i = 0; i < G_N_ELEMENTS (strs); i++)
    g_clear_pointer (strs[i], g_free);
}

static gboolean
flag_duration (const char *s, const char *flag, gint64 *out, GError **error)
{
  if (!s)
    return TRUE;
  if (!duration_parse (s, out, NULL) || *out < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "invalid %s \"%s\"", flag, s);
      return FALSE;
    }
  return TRUE;
}

static gboolean
config_from_flags (const HealthFlags *f, HealthConfig *c, GError **error)
{
  if (f->no_healthcheck)
    return TRUE;
  if (f->cmd && !health_parse_command (f->cmd, &c->test, error))
    return FALSE;
  if (f->startup_cmd && !health_parse_command (f->startup_cmd, &c->startup_test, error))
    return FALSE;
  if (f->interval && !health_parse_interval (f->interval, &c->interval_usec, error))
    return FALSE;
  if (f->startup_interval
      && !health_parse_interval (f->startup_interval, &c->startup_interval_usec, error))
    return FALSE;
  if (!flag_duration (f->timeout, "--health-timeout", &c->timeout_usec, error)
      || !flag_duration (f->start_period, "--health-start-period", &c->start_period_usec, error)
      || !flag_duration (f->startup_timeout, "--health-startup-timeout", &c->startup_timeout_usec,
                         error))
    return FALSE;
  if (f->on_failure && !health_on_failure_from_string (f->on_failure, &c->on_failure, error))
    return FALSE;
  if (f->retries < 0 || f->startup_retries < 0 || f->startup_success < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "healthcheck retries and successes must not be negative");
      return FALSE;
    }
  if (f->retries > 0)
    c->retries = (guint) f->retries;
  c->startup_retries = (guint) f->startup_retries;
  c->startup_success = (guint) f->startup_success;
  return health_config_validate (c, error);
}

gboolean
health_config_from_flags (const HealthFlags *f, HealthConfig *c, GError **error)
{
  health_config_init (c);
  if (config_from_flags (f, c, error))
    return TRUE;
  health_config_clear (c);
  return FALSE;
}

gboolean
health_config_save (const HealthConfig *c, const char *path, GError **error)
{
  g_autoptr (JsonNode) node = health_config_to_json (c);
  g_autofree char *json = json_to_string (node, FALSE);
  return g_file_set_contents (path, json, -1, error);
}

gboolean
health_config_load (const char *path, HealthConfig *c, GError **error)
{
  g_autofree char *json = NULL;
  g_autoptr (JsonParser) p = NULL;
  health_config_init (c);
  /* Most containers have no health check: the file first, json-glib (a
   * library loaded on first use) only for one that has. */
  if (!g_file_get_contents (path, &json, NULL, error))
    return FALSE;
  p = json_parser_new ();
  if (!json_parser_load_from_data (p, json, -1, error))
    return FALSE;
  return health_config_from_json (json_parser_get_root (p), c, error);
}

static void
add_strv (JsonBuilder *b, const char *key, char **v)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (; v && *v; v++)
    json_builder_add_string_value (b, *v);
  json_builder_end_array (b);
}

static void
add_int (JsonBuilder *b, const char *key, gint64 v)
{
  json_builder_set_member_name (b, key);
  json_builder_add_int_value (b, v);
}

JsonNode *
health_config_to_json (const HealthConfig *c)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_strv (b, "Test", c->test);
  add_int (b, "Interval", c->interval_usec * 1000);
  add_int (b, "Timeout", c->timeout_usec * 1000);
  add_int (b, "StartPeriod", c->start_period_usec * 1000);
  add_int (b, "Retries", c->retries);
  json_builder_set_member_name (b, "OnFailure");
  json_builder_add_string_value (b, health_on_failure_to_string (c->on_failure));
  if (c->startup_test)
    {
      add_strv (b, "StartupTest", c->startup_test);
      add_int (b, "StartupInterval", c->startup_interval_usec * 1000);
      add_int (b, "StartupTimeout", c->startup_timeout_usec * 1000);
      add_int (b, "StartupRetries", c->startup_retries);
      add_int (b, "StartupSuccess", c->startup_success);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Members of a health config, each checked for its type: the file may be
 * damaged, and json-glib's typed getters warn and return 0 or NULL on the
 * wrong type. */
static gboolean
bad_member (const char *key, const char *want, GError **error)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "Healthcheck %s is not %s", key, want);
  return FALSE;
}

/* NULL when missing or empty. */
static gboolean
get_strv (JsonObject *o, const char *key, char ***out, GError **error)
{
  JsonNode *n = json_object_get_member (o, key);
  JsonArray *a;
  g_autoptr (GPtrArray) v = g_ptr_array_new_with_free_func (g_free);

  *out = NULL;
  if (!n || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return bad_member (key, "an array of strings", error);
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return bad_member (key, "an array of strings", error);
      g_ptr_array_add (v, g_strdup (json_node_get_string (e)));
    }
  if (v->len == 0)
    return TRUE;
  g_ptr_array_add (v, NULL);
  *out = (char **) g_ptr_array_free (g_steal_pointer (&v), FALSE);
  return TRUE;
}

static gboolean
get_int (JsonObject *o, const char *key, gint64 dflt, gint64 *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, key);
  *out = dflt;
  if (!n)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return bad_member (key, "an integer", error);
  *out = json_node_get_int (n);
  return TRUE;
}

gboolean
health_config_from_json (JsonNode *node, HealthConfig *c, GError **error)
{
  JsonObject *o;
  JsonNode *f;
  gint64 interval, timeout, start, retries, s_interval, s_timeout, s_retries, s_success;

  health_config_init (c);
  if (!node || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "Healthcheck is not an object");
      return FALSE;
    }
  o = json_node_get_object (node);
  if (!get_strv (o, "Test", &c->test, error) || !get_strv (o, "StartupTest", &c->startup_test, error)
      || !get_int (o, "Interval", c->interval_usec * 1000, &interval, error)
      || !get_int (o, "Timeout", c->timeout_usec * 1000, &timeout, error)
      || !get_int (o, "StartPeriod", 0, &start, error)
      || !get_int (o, "Retries", c->retries, &retries, error)
      || !get_int (o, "StartupInterval", c->startup_interval_usec * 1000, &s_interval, error)
      || !get_int (o, "StartupTimeout", c->startup_timeout_usec * 1000, &s_timeout, error)
      || !get_int (o, "StartupRetries", 0, &s_retries, error)
      || !get_int (o, "StartupSuccess", 0, &s_success, error))
    return FALSE;
  /* Durations are nanoseconds, as in podman's and Docker's configs. */
  c->interval_usec = interval / 1000;
  c->timeout_usec = timeout / 1000;
  c->start_period_usec = start / 1000;
  c->retries = (guint) CLAMP (retries, 0, G_MAXUINT);
  c->startup_interval_usec = s_interval / 1000;
  c->startup_timeout_usec = s_timeout / 1000;
  c->startup_retries = (guint) CLAMP (s_retries, 0, G_MAXUINT);
  c->startup_success = (guint) CLAMP (s_success, 0, G_MAXUINT);
  f = json_object_get_member (o, "OnFailure");
  if (f && (!JSON_NODE_HOLDS_VALUE (f) || json_node_get_value_type (f) != G_TYPE_STRING))
    return bad_member ("OnFailure", "a string", error);
  if (f && !health_on_failure_from_string (json_node_get_string (f), &c->on_failure, error))
    return FALSE;
  return TRUE;
}

const char *
health_status_to_string (HealthStatus s)
{
  switch (s)
    {
    case HEALTH_STARTING: return "starting";
    case HEALTH_HEALTHY: return "healthy";
    case HEALTH_UNHEALTHY: return "unhealthy";
    }
  return "starting";
}

static void
log_entry_free (gpointer p)
{
  HealthLogEntry *e = p;
  g_free (e->output);
  g_free (e);
}

HealthState *
health_state_new (void)
{
  HealthState *s = g_new0 (HealthState, 1);
  s->status = HEALTH_STARTING;
  s->log = g_ptr_array_new_with_free_func (log_entry_free);
  return s;
}

void
health_state_free (HealthState *s)
{
  if (!s)
    return;
  g_ptr_array_unref (s->log);
  g_free (s);
}

void
health_state_reset (HealthState *s)
{
  s->status = HEALTH_STARTING;
  s->failing_streak = 0;
  s->startup_passed = FALSE;
  s->startup_successes = 0;
  s->startup_failures = 0;
}

static char *
format_time (gint64 usec)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) exact = dt ? g_date_time_add (dt, usec % G_USEC_PER_SEC) : NULL;
  return exact ? g_date_time_format_iso8601 (exact) : g_strdup ("");
}

static gint64
parse_time (const char *s)
{
  g_autoptr (GDateTime) dt = s ? g_date_time_new_from_iso8601 (s, NULL) : NULL;
  if (!dt)
    return 0;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

char *
health_state_to_json (const HealthState *s)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Status");
  json_builder_add_string_value (b, health_status_to_string (s->status));
  add_int (b, "FailingStreak", s->failing_streak);
  json_builder_set_member_name (b, "Log");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->log->len; i++)
    {
      HealthLogEntry *e = s->log->pdata[i];
      g_autofree char *start = format_time (e->start_usec);
      g_autofree char *end = format_time (e->end_usec);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Start");
      json_builder_add_string_value (b, start);
      json_builder_set_member_name (b, "End");
      json_builder_add_string_value (b, end);
      add_int (b, "ExitCode", e->exit_code);
      json_builder_set_member_name (b, "Output");
      json_builder_add_string_value (b, e->output ? e->output : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "StartupPassed");
  json_builder_add_boolean_value (b, s->startup_passed);
  add_int (b, "StartupSuccesses", s->startup_successes);
  add_int (b, "StartupFailures", s->startup_failures);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

JsonNode *
health_state_to_inspect (const HealthState *s)
{
  g_autofree char *json = health_state_to_json (s);
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonObject *o;
  if (!json_parser_load_from_data (p, json, -1, NULL))
    return NULL;
  o = json_node_get_object (json_parser_get_root (p));
  /* Only what podman shows; the startup progress is podunit's own. */
  json_object_remove_member (o, "StartupPassed");
  json_object_remove_member (o, "StartupSuccesses");
  json_object_remove_member (o, "StartupFailures");
  return json_node_copy (json_parser_get_root (p));
}

/* A number of the state file, 0 when missing or of another type. */
static gint64
state_int (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64
             ? json_node_get_int (n)
             : 0;
}

HealthState *
health_state_from_json (const char *json, GError **error)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (HealthState) s = health_state_new ();
  JsonObject *o;
  const char *status;

  if (!json_parser_load_from_data (p, json, -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "health state is not an object");
      return NULL;
    }
  o = json_node_get_object (json_parser_get_root (p));
  status = json_object_has_member (o, "Status") ? json_object_get_string_member (o, "Status") : "";
  s->status = g_strcmp0 (status, "healthy") == 0     ? HEALTH_HEALTHY
              : g_strcmp0 (status, "unhealthy") == 0 ? HEALTH_UNHEALTHY
                                                     : HEALTH_STARTING;
  s->failing_streak = (guint) state_int (o, "FailingStreak");
  s->startup_passed = json_object_has_member (o, "StartupPassed")
                      && json_object_get_boolean_member (o, "StartupPassed");
  s->startup_successes = (guint) state_int (o, "StartupSuccesses");
  s->startup_failures = (guint) state_int (o, "StartupFailures");
  if (json_object_has_member (o, "Log") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "Log")))
    {
      JsonArray *a = json_object_get_array_member (o, "Log");
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *eo = json_array_get_object_element (a, i);
          HealthLogEntry *e;
          if (!eo)
            continue;
          e = g_new0 (HealthLogEntry, 1);
          e->start_usec = parse_time (json_object_get_string_member_with_default (eo, "Start", NULL));
          e->end_usec = parse_time (json_object_get_string_member_with_default (eo, "End", NULL));
          e->exit_code = (int) state_int (eo, "ExitCode");
          e->output = g_strdup (json_object_get_string_member_with_default (eo, "Output", ""));
          g_ptr_array_add (s->log, e);
        }
    }
  return g_steal_pointer (&s);
}

HealthState *
health_state_load (const char *path, GError **error)
{
  g_autofree char *json = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &json, NULL, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return health_state_new ();
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return health_state_from_json (json, error);
}

gboolean
health_state_save (const HealthState *s, const char *path, GError **error)
{
  g_autofree char *json = health_state_to_json (s);
  /* Written to a temp file and renamed: readers never see half a file. */
  return g_file_set_contents (path, json, -1, error);
}

static void
append_log (HealthState *s, const HealthResult *r, gint64 timeout_usec)
{
  HealthLogEntry *e = g_new0 (HealthLogEntry, 1);
  e->start_usec = r->start_usec;
  e->end_usec = r->end_usec;
  if (r->timed_out)
    {
      e->exit_code = 1;
      e->output = g_strdup_printf ("healthcheck command exceeded timeout of %" G_GINT64_FORMAT "s",
                                   timeout_usec / G_USEC_PER_SEC);
    }
  else
    {
      const char *out = r->output ? r->output : "";
      glong n = g_utf8_validate (out, -1, NULL) ? g_utf8_strlen (out, -1) : 0;
      e->exit_code = r->exit_code;
      /* podman keeps the first 500 characters. */
      e->output = n > HEALTH_OUTPUT_MAX ? g_utf8_substring (out, 0, HEALTH_OUTPUT_MAX)
                  : n > 0              ? g_strdup (out)
                                       : g_utf8_make_valid (out, MIN (strlen (out), HEALTH_OUTPUT_MAX));
    }
  g_ptr_array_add (s->log, e);
  while (s->log->len > HEALTH_LOG_MAX)
    g_ptr_array_remove_index (s->log, 0);
}

void
health_record (const HealthConfig *c, HealthState *s, gboolean startup, const HealthResult *r,
               gint64 started_usec, HealthOutcome *outcome)
{
  HealthStatus before = s->status;
  gboolean passed = !r->timed_out && r->exit_code == 0;

  memset (outcome, 0, sizeof *outcome);
  outcome->passed = passed;
  append_log (s, r, startup ? c->startup_timeout_usec : c->timeout_usec);

  if (startup)
    {
      if (passed)
        {
          s->startup_failures = 0;
          if (++s->startup_successes >= MAX (c->startup_success, 1))
            s->startup_passed = TRUE;
        }
      else if (c->startup_retries > 0 && ++s->startup_failures >= c->startup_retries)
        outcome->action = HEALTH_ON_FAILURE_RESTART;
      /* The status stays "starting" until the regular check says more. */
    }
  else if (passed)
    {
      s->failing_streak = 0;
      s->status = HEALTH_HEALTHY;
    }
  else if (!(s->status == HEALTH_STARTING && r->end_usec < started_usec + c->start_period_usec))
    {
      /* Failures inside the start period, before the first pass, do not
       * count. */
      s->failing_streak++;
      if (s->failing_streak >= c->retries)
        {
          s->status = HEALTH_UNHEALTHY;
          outcome->action = c->on_failure;
        }
    }
  outcome->status_changed = s->status != before;
}

gboolean
health_update_file (const char *path, const HealthConfig *c, gboolean startup,
                    const HealthResult *r, gint64 started_usec, HealthOutcome *outcome,
                    HealthStatus *status, GError **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  g_autoptr (HealthState) s = NULL;
  autofd int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600); /* the lock, held to the end */

  if (fd < 0 || flock (fd, LOCK_EX) < 0)
    return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno, "lock %s",
                        lock_path);
  s = health_state_load (path, error);
  if (!s)
    return FALSE;
  health_record (c, s, startup, r, started_usec, outcome);
  if (status)
    *status = s->status;
  return health_state_save (s, path, error);
}

gboolean
health_run (const char *path, const HealthConfig *c, gboolean startup, gint64 started_usec,
            HealthExecFunc exec, gpointer data, HealthOutcome *outcome, HealthStatus *status,
            GError **error)
{
  g_auto (GStrv) argv = health_command_argv (startup ? c->startup_test : c->test);
  g_autofree char *output = NULL;
  HealthResult r = { 0 };

  if (!argv)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "container has no defined healthcheck");
      return FALSE;
    }
  r.start_usec = g_get_real_time ();
  if (!exec (argv, startup ? c->startup_timeout_usec : c->timeout_usec, &r.exit_code,
             &r.timed_out, &output, data, error))
    return FALSE;
  r.end_usec = g_get_real_time ();
  r.output = output;
  return health_update_file (path, c, startup, &r, started_usec, outcome, status, error);
}

gint64
health_timer_interval (const HealthConfig *c)
{
  if (!c->test)
    return 0;
  if (c->startup_test && c->startup_interval_usec > 0
      && (c->interval_usec <= 0 || c->startup_interval_usec < c->interval_usec))
    return c->startup_interval_usec;
  return MAX (c->interval_usec, 0);
}
