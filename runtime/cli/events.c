/* SPDX-License-Identifier: Apache-2.0 */
/* podunit events|system events [--stream=BOOL] [--since T] [--until T]
 * [--filter K=V] [--format T|json] [--no-trunc]: podman's event log, its
 * file backend (supervisor/events.h), printed as podman prints it. A
 * container's "died" comes from its supervisor, which knows only the id:
 * the name and image are taken from the container's earlier events. */
#include "cli/cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/image-util.h"
#include "cli/template.h"
#include "fdio.h"
#include "supervisor/events.h"

static const char *const filter_keys[] = { "container", "event", "status", "type", "image",
                                           NULL };

static const char *
str (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
           ? json_node_get_string (n)
           : "";
}

/* --since/--until: a Go duration before now ("10m"), unix seconds or an
 * RFC 3339 time; microseconds since the epoch. */
static gboolean
parse_time (const char *s, const char *flag, gint64 *out)
{
  guint secs;
  char *end;
  gint64 v;
  g_autoptr (GDateTime) t = NULL;
  if (!s)
    return TRUE;
  v = g_ascii_strtoll (s, &end, 10);
  if (*s && !*end)
    {
      *out = v * G_USEC_PER_SEC;
      return TRUE;
    }
  if ((t = g_date_time_new_from_iso8601 (s, NULL)))
    {
      *out = g_date_time_to_unix (t) * G_USEC_PER_SEC + g_date_time_get_microsecond (t);
      return TRUE;
    }
  if (cli_parse_duration_seconds (s, &secs))
    {
      *out = g_get_real_time () - (gint64) secs * G_USEC_PER_SEC;
      return TRUE;
    }
  cli_error ("invalid value \"%s\" for %s: a duration (10m), unix seconds or an RFC 3339 time",
             s, flag);
  return FALSE;
}

static gboolean
matches (JsonObject *e, char **filters)
{
  for (const char *const *k = filter_keys; *k; k++)
    {
      gboolean given = FALSE, hit = FALSE;
      gsize n = strlen (*k);
      for (char **f = filters; f && *f; f++)
        {
          const char *v;
          if (strncmp (*f, *k, n) != 0 || (*f)[n] != '=')
            continue;
          v = *f + n + 1;
          /* event= and status= are one key */
          given = TRUE;
          if (strcmp (*k, "container") == 0)
            hit |= g_strcmp0 (str (e, "Name"), v) == 0
                   || (*v && g_str_has_prefix (str (e, "ID"), v) && strcmp (str (e, "Type"), "container") == 0);
          else if (strcmp (*k, "event") == 0 || strcmp (*k, "status") == 0)
            hit |= strcmp (str (e, "Status"), v) == 0;
          else if (strcmp (*k, "type") == 0)
            hit |= strcmp (str (e, "Type"), v) == 0;
          else if (strcmp (*k, "image") == 0)
            hit |= strcmp (str (e, "Image"), v) == 0;
        }
      if (given && !hit)
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  char **filters;
  gint64 since, until; /* microseconds; 0: none */
  const char *format;
  CliTemplate *tmpl;
  gboolean json, no_trunc;
  GHashTable *names; /* id -> JsonObject of its last named event */
} Printer;

/* One line of the log; FALSE once past --until. */
static gboolean
print_line (Printer *p, const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GDateTime) t = NULL;
  JsonObject *e;
  gint64 us;

  if (!*line || !json_parser_load_from_data (parser, line, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return TRUE; /* a line cut by a crash is skipped */
  e = json_node_get_object (json_parser_get_root (parser));
  t = g_date_time_new_from_iso8601 (str (e, "Time"), NULL);
  us = t ? g_date_time_to_unix (t) * G_USEC_PER_SEC + g_date_time_get_microsecond (t) : 0;
  if (*str (e, "Name"))
    g_hash_table_replace (p->names, g_strdup (str (e, "ID")), json_object_ref (e));
  else if (g_hash_table_contains (p->names, str (e, "ID")))
    {
      JsonObject *named = g_hash_table_lookup (p->names, str (e, "ID"));
      json_object_set_string_member (e, "Name", str (named, "Name"));
      json_object_set_string_member (e, "Image", str (named, "Image"));
    }
  if (p->until && us > p->until)
    return FALSE;
  if ((p->since && us < p->since) || !matches (e, p->filters))
    return TRUE;
  if (p->json)
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;
      json_generator_set_root (gen, json_parser_get_root (parser));
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
    }
  else
    {
      g_autofree char *when = cli_go_time_string (str (e, "Time"));
      g_autofree char *id = g_strndup (str (e, "ID"), p->no_trunc ? 64 : 12);
      if (p->tmpl)
        {
          /* a template per event: it is printed as it comes */
          g_autoptr (GError) error = NULL;
          g_autoptr (JsonObject) row = json_object_new ();
          g_autoptr (CliTemplate) tmpl = cli_template_new (p->format, NULL, &error);
          json_object_set_string_member (row, "ID", str (e, "ID"));
          json_object_set_string_member (row, "Image", str (e, "Image"));
          json_object_set_string_member (row, "Name", str (e, "Name"));
          json_object_set_string_member (row, "Status", str (e, "Status"));
          json_object_set_string_member (row, "Type", str (e, "Type"));
          json_object_set_string_member (row, "Time", when);
          json_object_set_int_member (row, "TimeNano", us * 1000);
          json_object_set_int_member (row, "ContainerExitCode",
                                      json_object_get_int_member_with_default (e, "ContainerExitCode", 0));
          json_object_set_object_member (row, "Attributes", json_object_new ());
          if (!tmpl || !cli_template_add_row (tmpl, row, &error))
            {
              cli_error ("%s", error->message);
              return FALSE;
            }
          cli_template_print (tmpl, TRUE);
        }
      else if (strcmp (str (e, "Type"), "container") == 0 || strcmp (str (e, "Type"), "pod") == 0)
        printf ("%s %s %s %s (image=%s, name=%s)\n", when, str (e, "Type"), str (e, "Status"), id,
                str (e, "Image"), str (e, "Name"));
      else
        printf ("%s %s %s %s %s\n", when, str (e, "Type"), str (e, "Status"), id, str (e, "Name"));
    }
  fflush (stdout);
  return TRUE;
}

CLI_VERB (cli_events)
{
  g_auto (GStrv) filters = NULL;
  g_autofree char *format = NULL, *since = NULL, *until = NULL, *backend = NULL;
  g_autofree char *stream_s = NULL;
  gboolean no_trunc = TRUE, stream = TRUE;
  const GOptionEntry entries[] = {
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters,
      "container=, event=, image=, type=", "KEY=VALUE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template or json", "FORMAT" },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Do not truncate ids (default true)", NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, "Events since this time", "TIME" },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, "Events until this time", "TIME" },
    { "stream", 0, 0, G_OPTION_ARG_STRING, &stream_s, "Keep printing new events (default true)",
      "BOOL" },
    { "events-backend", 0, 0, G_OPTION_ARG_STRING, &backend,
      "file (podunit's); none prints nothing", "BACKEND" },
    { NULL },
  };
  g_autoptr (GHashTable) names
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  g_autoptr (CliTemplate) tmpl = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) pending = g_string_new (NULL);
  Printer p = { 0 };
  char path[4096];
  autofd int fd = -1;

  if (!cli_parse_options (&argc, &argv, entries, NULL, FALSE))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("\"%s\" accepts no arguments", argv[0]);
      return EXIT_PODUNIT;
    }
  if (stream_s && strcmp (stream_s, "false") == 0)
    stream = FALSE;
  else if (stream_s && strcmp (stream_s, "true") != 0)
    {
      cli_error ("invalid argument \"%s\" for \"--stream\" flag: strconv.ParseBool: parsing \"%s\": "
                 "invalid syntax",
                 stream_s, stream_s);
      return EXIT_PODUNIT;
    }
  if (backend && strcmp (backend, "file") != 0 && strcmp (backend, "journald") != 0
      && strcmp (backend, "none") != 0)
    {
      cli_error ("unsupported events backend \"%s\" (file, journald, none)", backend);
      return EXIT_PODUNIT;
    }
  for (char **f = filters; f && *f; f++)
    {
      const char *const *k;
      for (k = filter_keys; *k; k++)
        if (strncmp (*f, *k, strlen (*k)) == 0 && (*f)[strlen (*k)] == '=')
          break;
      if (!*k)
        {
          cli_error ("invalid filter \"%s\" (container=, event=, image=, type=)", *f);
          return EXIT_PODUNIT;
        }
    }
  if (!parse_time (since, "--since", &p.since) || !parse_time (until, "--until", &p.until))
    return EXIT_PODUNIT;
  if (format && !cli_template_is_json (format) && !(tmpl = cli_template_new (format, NULL, &error)))
    return cli_fail (error);
  /* podman's "none" backend keeps no events */
  if (backend && strcmp (backend, "none") == 0)
    return 0;
  p = (Printer){ .filters = filters, .since = p.since, .until = p.until, .format = format,
                 .tmpl = tmpl, .json = format && cli_template_is_json (format),
                 .no_trunc = no_trunc, .names = names };

  events_log_path (g->runroot, path, sizeof path);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  /* streaming without --since: only what happens from now on (but the
   * names of the containers that died are still learnt from the log) */
  if (stream && !since)
    p.since = g_get_real_time ();
  for (;;)
    {
      char buf[65536];
      ssize_t n;
      if (fd < 0)
        fd = open (path, O_RDONLY | O_CLOEXEC);
      while (fd >= 0 && (n = read (fd, buf, sizeof buf)) > 0)
        {
          char *nl;
          g_string_append_len (pending, buf, n);
          while ((nl = strchr (pending->str, '\n')))
            {
              *nl = '\0';
              if (!print_line (&p, pending->str))
                return 0;
              g_string_erase (pending, 0, nl - pending->str + 1);
            }
        }
      if (!stream || (p.until && g_get_real_time () > p.until))
        return 0;
      g_usleep (200 * 1000);
    }
}
