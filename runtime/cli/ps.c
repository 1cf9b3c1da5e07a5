/* SPDX-License-Identifier: Apache-2.0 */
/* podunit ps [-a] [-q] [--no-trunc] [--format TEMPLATE] [--filter K=V]:
 * podman's columns; --format fields as podman names them (.ID .Names
 * .Image .Command .Status .State .CreatedAt .ExitCode .Pid .Labels). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/template.h"
#include "container/container.h"
#include "systemd/health.h"

static char *
human_duration (gint64 seconds)
{
  if (seconds < 1)
    return g_strdup ("Less than a second");
  if (seconds < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " second%s", seconds, seconds == 1 ? "" : "s");
  if (seconds < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " minute%s", seconds / 60,
                            seconds / 60 == 1 ? "" : "s");
  if (seconds < 86400)
    return g_strdup_printf ("%" G_GINT64_FORMAT " hour%s", seconds / 3600,
                            seconds / 3600 == 1 ? "" : "s");
  return g_strdup_printf ("%" G_GINT64_FORMAT " days", seconds / 86400);
}

static char *
status_text (const ContainerState *st, gint64 created, gint64 now)
{
  g_autofree char *d = NULL;
  switch (st->status)
    {
    case CONTAINER_RUNNING:
    case CONTAINER_STOPPING:
      d = human_duration (now - st->started_at / G_USEC_PER_SEC);
      return g_strdup_printf ("Up %s", d);
    case CONTAINER_EXITED:
      d = human_duration (now - st->finished_at / G_USEC_PER_SEC);
      return g_strdup_printf ("Exited (%d) %s ago", st->exit_code, d);
    default:
      return g_strdup ("Created");
    }
}

static gboolean
matches_filters (char **filters, ContainerConfig *c, const ContainerState *st)
{
  for (char **f = filters; f && *f; f++)
    {
      const char *eq = strchr (*f, '=');
      g_autofree char *k = eq ? g_strndup (*f, eq - *f) : g_strdup (*f);
      const char *v = eq ? eq + 1 : "";
      if (g_str_equal (k, "name") && !strstr (c->name, v))
        return FALSE;
      if (g_str_equal (k, "id") && !g_str_has_prefix (c->id, v))
        return FALSE;
      if (g_str_equal (k, "status") && !g_str_equal (container_status_to_string (st->status), v))
        return FALSE;
      if (g_str_equal (k, "label"))
        {
          gboolean found = FALSE;
          for (char **l = c->labels; l && *l && !found; l++)
            found = strchr (v, '=') ? g_str_equal (*l, v)
                                    : g_str_has_prefix (*l, v) && (*l)[strlen (v)] == '=';
          if (!found)
            return FALSE;
        }
    }
  return TRUE;
}

int
cli_ps (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, quiet = FALSE, no_trunc = FALSE;
  g_autofree char *format = NULL;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Show all containers", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the IDs", NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Do not truncate", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template", NULL },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, "name=, id=, status=, label=", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (CliTemplate) tmpl = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!cli_parse_options (&argc, &argv, entries, "", FALSE))
    return EXIT_PODUNIT;
  for (char **f = filters; f && *f; f++)
    if (!g_str_has_prefix (*f, "name=") && !g_str_has_prefix (*f, "id=")
        && !g_str_has_prefix (*f, "status=") && !g_str_has_prefix (*f, "label="))
      {
        cli_error ("--filter %s is not supported by podunit yet", *f);
        return EXIT_PODUNIT;
      }
  if (format && !(tmpl = cli_template_new (format, NULL, &error)))
    return cli_fail (error);
  ids = container_list (g->root, NULL);
  {
    char *h[] = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES",
                  NULL };
    if (!quiet && !tmpl)
      g_ptr_array_add (rows, g_strdupv (h));
  }
  for (guint i = ids->len; i > 0; i--)
    {
      const char *id = ids->pdata[i - 1];
      g_autoptr (ContainerConfig) c = container_config_load (g->root, id, NULL);
      ContainerState st;
      if (!c || !container_state_load (g->runroot, id, &st, NULL))
        continue;
      if (!all && st.status != CONTAINER_RUNNING && st.status != CONTAINER_STOPPING)
        continue;
      if (!matches_filters (filters, c, &st))
        continue;
      g_autofree char *cmd = g_strjoinv (" ", c->argv);
      g_autofree char *status = status_text (&st, c->created, now);
      if (st.status == CONTAINER_RUNNING)
        {
          /* "Up 5 seconds (healthy)", as podman (health.h). */
          g_autofree char *cdir = container_dir (g->root, id);
          g_autofree char *rdir = container_run_dir (g->runroot, id);
          g_autofree char *hc = g_build_filename (cdir, HEALTH_CONFIG_FILE, NULL);
          g_autofree char *hs = g_build_filename (rdir, HEALTH_STATE_FILE, NULL);
          g_autoptr (HealthState) health = g_file_test (hc, G_FILE_TEST_EXISTS)
                                               ? health_state_load (hs, NULL)
                                               : NULL;
          if (health)
            {
              char *with = g_strdup_printf ("%s (%s)", status,
                                            health_status_to_string (health->status));
              g_free (status);
              status = with;
            }
        }
      g_autofree char *age = human_duration (now - c->created);
      g_autofree char *created = g_strdup_printf ("%s ago", age);
      g_autofree char *shortid = g_strndup (id, no_trunc ? 64 : 12);
      if (quiet)
        {
          printf ("%s\n", shortid);
          continue;
        }
      if (tmpl)
        {
          g_autoptr (JsonObject) row = json_object_new ();
          g_autoptr (JsonArray) names = json_array_new ();
          g_autoptr (JsonObject) labels = json_object_new ();
          g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (c->created);
          json_array_add_string_element (names, c->name);
          for (char **l = c->labels; l && *l; l++)
            {
              g_auto (GStrv) kv = g_strsplit (*l, "=", 2);
              json_object_set_string_member (labels, kv[0], kv[1] ? kv[1] : "");
            }
          json_object_set_string_member (row, "ID", shortid);
          json_object_set_string_member (row, "Image", c->image);
          json_object_set_string_member (row, "ImageID", c->image_id ? c->image_id : "");
          json_object_set_string_member (row, "Command", cmd);
          json_object_set_string_member (row, "Status", status);
          json_object_set_string_member (row, "State",
                                         container_status_to_string (st.status));
          json_object_set_int_member (row, "ExitCode", st.exit_code);
          json_object_set_int_member (row, "Pid", st.pid);
          json_object_set_int_member (row, "Created", c->created);
          json_object_set_string_member (row, "CreatedAt",
                                         g_date_time_format (dt, "%F %T %z %Z"));
          json_object_set_string_member (row, "RunningFor", age);
          json_object_set_string_member (row, "Ports", "");
          json_object_set_string_member (row, "Names", c->name);
          json_object_set_object_member (row, "Labels", g_steal_pointer (&labels));
          if (!cli_template_add_row (tmpl, row, &error))
            return cli_fail (error);
          continue;
        }
      {
        g_autofree char *shortcmd = !no_trunc && strlen (cmd) > 20 ? g_strndup (cmd, 17) : NULL;
        char *row[] = { shortid, c->image, shortcmd ? g_strconcat (shortcmd, "...", NULL) : g_strdup (cmd),
                        created, status, "", c->name, NULL };
        char **copy = g_strdupv (row);
        g_free (row[2]);
        g_ptr_array_add (rows, copy);
      }
    }
  if (tmpl)
    cli_template_print (tmpl, FALSE);
  else if (!quiet)
    cli_print_table (rows);
  return 0;
}
