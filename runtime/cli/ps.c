/* SPDX-License-Identifier: Apache-2.0 */
/* podunit ps [-a] [-q] [--no-trunc] [--format TEMPLATE] [--filter K=V]:
 * podman's columns; --format fields as podman names them (.ID .Names
 * .Image .Command .Status .State .CreatedAt .ExitCode .Pid .Labels). */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template.h"
#include "container/container.h"
#include "net/ports.h"
#include "pod/pod.h"
#include "systemd/health.h"

char *
cli_human_duration (gint64 seconds)
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
      d = cli_human_duration (now - st->started_at / G_USEC_PER_SEC);
      return g_strdup_printf ("Up %s", d);
    case CONTAINER_PAUSED:
      return g_strdup ("Paused");
    case CONTAINER_EXITED:
      d = cli_human_duration (now - st->finished_at / G_USEC_PER_SEC);
      return g_strdup_printf ("Exited (%d) %s ago", st->exit_code, d);
    default:
      return g_strdup ("Created");
    }
}

typedef struct
{
  ContainerConfig *c;
  ContainerState st;
  char *status;
  char *pod_name; /* "" outside a pod */
  guint order;    /* in container_list: created earlier is lower (ns, unlike c->created) */
} PsEntry;

static void
ps_entry_free (PsEntry *e)
{
  container_config_free (e->c);
  g_free (e->status);
  g_free (e->pod_name);
  g_free (e);
}

static const char *ps_sort_key;

static int
ps_compare (gconstpointer a, gconstpointer b)
{
  const PsEntry *x = *(PsEntry **) a, *y = *(PsEntry **) b;
  const char *k = ps_sort_key;
  if (g_str_equal (k, "names"))
    return strcmp (x->c->name, y->c->name);
  if (g_str_equal (k, "id"))
    return strcmp (x->c->id, y->c->id);
  if (g_str_equal (k, "image"))
    return strcmp (x->c->image, y->c->image);
  if (g_str_equal (k, "status"))
    return strcmp (x->status, y->status);
  if (g_str_equal (k, "command"))
    {
      g_autofree char *cx = g_strjoinv (" ", x->c->argv), *cy = g_strjoinv (" ", y->c->argv);
      return strcmp (cx, cy);
    }
  /* created, runningfor: oldest first (within a second too) */
  if (x->c->created != y->c->created)
    return x->c->created < y->c->created ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* The PORTS column: "127.0.0.1:8080->80/tcp, 0.0.0.0:53->53/udp". */
static char *
ports_text (const ContainerConfig *c)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  for (char **s = c->ports; s && *s; s++)
    {
      NetPort p;
      if (net_port_from_string (*s, &p))
        g_ptr_array_add (parts, net_port_display (&p));
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}

/* ps --format json's Ports: podman's port mappings. */
static JsonArray *
ports_json (const ContainerConfig *c)
{
  JsonArray *a = json_array_new ();
  for (char **s = c->ports; s && *s; s++)
    {
      NetPort p;
      JsonObject *o;
      if (!net_port_from_string (*s, &p))
        continue;
      o = json_object_new ();
      json_object_set_string_member (o, "host_ip", p.host_ip);
      json_object_set_int_member (o, "container_port", p.ctr_port);
      json_object_set_int_member (o, "host_port", p.host_port);
      json_object_set_int_member (o, "range", p.count);
      json_object_set_string_member (o, "protocol", p.proto);
      json_array_add_object_element (a, o);
    }
  return a;
}

static JsonObject *
ps_row (const PsEntry *e, const char *shortid, const char *cmd, const char *age)
{
  ContainerConfig *c = e->c;
  JsonObject *row = json_object_new ();
  JsonObject *labels = json_object_new ();
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (c->created);
  for (char **l = c->labels; l && *l; l++)
    {
      g_auto (GStrv) kv = g_strsplit (*l, "=", 2);
      json_object_set_string_member (labels, kv[0], kv[1] ? kv[1] : "");
    }
  g_autofree char *label_str = cli_labels_text (c->labels);
  g_autofree char *created_at = g_date_time_format (dt, "%F %T %z %Z");
  json_object_set_string_member (row, "ID", shortid);
  json_object_set_string_member (row, "Image", c->image);
  json_object_set_string_member (row, "ImageID", c->image_id ? c->image_id : "");
  json_object_set_string_member (row, "Command", cmd);
  json_object_set_string_member (row, "Status", e->status);
  json_object_set_string_member (row, "State", container_status_to_string (e->st.status));
  json_object_set_int_member (row, "ExitCode", e->st.exit_code);
  json_object_set_boolean_member (row, "Exited", e->st.status == CONTAINER_EXITED);
  json_object_set_int_member (row, "ExitedAt", e->st.finished_at / G_USEC_PER_SEC);
  json_object_set_int_member (row, "StartedAt", e->st.started_at / G_USEC_PER_SEC);
  json_object_set_int_member (row, "Pid", e->st.pid);
  json_object_set_int_member (row, "Created", c->created);
  json_object_set_string_member (row, "CreatedAt", created_at);
  json_object_set_string_member (row, "CreatedHuman", created_at);
  json_object_set_string_member (row, "RunningFor", age);
  g_autofree char *ports = ports_text (c);
  json_object_set_string_member (row, "Ports", ports);
  json_object_set_string_member (row, "Names", c->name);
  g_autofree char *pod = g_strndup (c->pod ? c->pod : "", strlen (shortid));
  json_object_set_string_member (row, "Pod", pod);
  json_object_set_string_member (row, "PodName", e->pod_name);
  json_object_set_boolean_member (row, "IsInfra", c->infra);
  json_object_set_boolean_member (row, "AutoRemove", c->auto_remove);
  json_object_set_int_member (row, "Restarts", 0);
  json_object_set_array_member (row, "Mounts", json_array_new ());
  json_object_set_array_member (row, "Networks", json_array_new ());
  /* podman prints .Labels as "k=v,k2=v2" (sorted); {{.Label "k"}} is one. */
  json_object_set_string_member (row, "Labels", label_str);
  json_object_set_object_member (row, "Label", labels);
  return row;
}

/* `ps --format json`: podman's ListContainer fields. */
static JsonObject *
ps_json (const PsEntry *e, const char *cmd)
{
  ContainerConfig *c = e->c;
  JsonObject *o = json_object_new ();
  JsonObject *labels = json_object_new ();
  JsonArray *command = json_array_new (), *names = json_array_new ();
  for (char **l = c->labels; l && *l; l++)
    {
      g_auto (GStrv) kv = g_strsplit (*l, "=", 2);
      json_object_set_string_member (labels, kv[0], kv[1] ? kv[1] : "");
    }
  for (char **a = c->argv; a && *a; a++)
    json_array_add_string_element (command, *a);
  json_array_add_string_element (names, c->name);
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (c->created);
  g_autofree char *created = g_date_time_format_iso8601 (dt);
  json_object_set_boolean_member (o, "AutoRemove", c->auto_remove);
  json_object_set_array_member (o, "Command", command);
  json_object_set_string_member (o, "Created", created);
  json_object_set_string_member (o, "CreatedAt", "");
  json_object_set_boolean_member (o, "Exited", e->st.status == CONTAINER_EXITED);
  json_object_set_int_member (o, "ExitedAt", e->st.finished_at / G_USEC_PER_SEC);
  json_object_set_int_member (o, "ExitCode", e->st.exit_code);
  json_object_set_string_member (o, "Id", c->id);
  json_object_set_string_member (o, "Image", c->image);
  json_object_set_string_member (o, "ImageID", c->image_id ? c->image_id : "");
  json_object_set_boolean_member (o, "IsInfra", c->infra);
  json_object_set_object_member (o, "Labels", labels);
  json_object_set_array_member (o, "Mounts", json_array_new ());
  json_object_set_array_member (o, "Names", names);
  json_object_set_array_member (o, "Networks", json_array_new ());
  json_object_set_int_member (o, "Pid", e->st.pid);
  json_object_set_string_member (o, "Pod", c->pod ? c->pod : "");
  json_object_set_string_member (o, "PodName", e->pod_name);
  if (c->ports && *c->ports)
    json_object_set_array_member (o, "Ports", ports_json (c));
  else
    json_object_set_null_member (o, "Ports");
  json_object_set_int_member (o, "Restarts", 0);
  json_object_set_int_member (o, "StartedAt", e->st.started_at / G_USEC_PER_SEC);
  json_object_set_string_member (o, "State", container_status_to_string (e->st.status));
  json_object_set_string_member (o, "Status", e->status);
  return o;
}


int
cli_ps (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, quiet = FALSE, no_trunc = FALSE, noheading = FALSE, external = FALSE;
  gboolean latest = FALSE, size = FALSE, ns = FALSE, sync = FALSE, pod = FALSE;
  gint last = -1;
  g_autofree char *format = NULL, *sort = NULL;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Show all containers", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the IDs", NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Do not truncate", NULL },
    { "noheading", 'n', 0, G_OPTION_ARG_NONE, &noheading, "Do not print the header", NULL },
    { "external", 0, 0, G_OPTION_ARG_NONE, &external,
      "Also containers of other tools (podunit sees none)", NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "Only the latest container", NULL },
    { "last", 0, 0, G_OPTION_ARG_INT, &last, "Only the last N containers", NULL },
    { "size", 's', 0, G_OPTION_ARG_NONE, &size, "Accepted; sizes are not computed", NULL },
    { "ns", 0, 0, G_OPTION_ARG_NONE, &ns, "Accepted; namespaces are not shown", NULL },
    { "sync", 0, 0, G_OPTION_ARG_NONE, &sync, "Accepted; the state is always current", NULL },
    { "pod", 'p', 0, G_OPTION_ARG_NONE, &pod, "Show the pod of each container", NULL },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort,
      "command, created, id, image, names, runningfor, status", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template", NULL },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters,
      "name=, id=, status=, label=, exited=, restart-policy=, pod=", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GPtrArray) entries_list = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_entry_free);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) json_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (CliTemplate) tmpl = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  static const char *const sort_keys[] = { "command", "created", "id", "image", "names",
                                           "runningfor", "status", NULL };

  if (!cli_parse_options (&argc, &argv, entries, "", FALSE))
    return EXIT_PODUNIT;
  if (!cli_container_filters_check (filters, &error))
    return cli_fail (error);
  for (char **f = filters; f && *f; f++)
    /* podman: a status or exited filter looks at all containers */
    if (g_str_has_prefix (*f, "status=") || g_str_has_prefix (*f, "exited="))
      all = TRUE;
  if (sort && !g_strv_contains (sort_keys, sort))
    {
      cli_error ("invalid option for --sort, options are: command, created, id, image, names, "
                 "runningfor, size, or status");
      return EXIT_PODUNIT;
    }
  gboolean json = cli_template_is_json (format);
  if (format && !json && !quiet && !(tmpl = cli_template_new (format, NULL, &error)))
    return cli_fail (error);
  ids = container_list (g->root, NULL);
  for (guint i = ids->len; i > 0; i--)
    {
      const char *id = ids->pdata[i - 1];
      g_autoptr (ContainerConfig) c = container_config_load (g->root, id, NULL);
      g_autoptr (Pod) p = NULL;
      ContainerState st;
      if (!c || !container_state_load (g->runroot, id, &st, NULL))
        continue;
      if (!all && !latest && last < 0 && st.status != CONTAINER_RUNNING
          && st.status != CONTAINER_STOPPING)
        continue;
      p = c->pod ? pod_load (g->root, c->pod, NULL) : NULL;
      if (!cli_container_matches (filters, c, &st, p ? p->name : NULL))
        continue;
      PsEntry *e = g_new0 (PsEntry, 1);
      e->pod_name = g_strdup (p ? p->name : "");
      e->order = i - 1;
      e->status = status_text (&st, c->created, now);
      e->st = st;
      e->c = g_steal_pointer (&c);
      g_ptr_array_add (entries_list, e);
    }
  /* Newest first unless sorted; --latest / --last N keep the newest. */
  ps_sort_key = "created";
  g_ptr_array_sort (entries_list, ps_compare);
  for (guint i = 0; i < entries_list->len / 2; i++)
    {
      gpointer t = entries_list->pdata[i];
      entries_list->pdata[i] = entries_list->pdata[entries_list->len - 1 - i];
      entries_list->pdata[entries_list->len - 1 - i] = t;
    }
  if (latest)
    last = 1;
  if (last >= 0 && (guint) last < entries_list->len)
    g_ptr_array_set_size (entries_list, last);
  if (sort)
    {
      ps_sort_key = sort;
      g_ptr_array_sort (entries_list, ps_compare);
    }
  {
    char *h[] = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES",
                  pod ? "POD ID" : NULL, "PODNAME", NULL };
    if (!quiet && !tmpl && !json && !noheading)
      g_ptr_array_add (rows, g_strdupv (h));
  }
  for (guint i = 0; i < entries_list->len; i++)
    {
      PsEntry *e = entries_list->pdata[i];
      ContainerConfig *c = e->c;
      const char *id = c->id;
      g_autofree char *cmd = g_strjoinv (" ", c->argv);
      if (e->st.status == CONTAINER_RUNNING)
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
              char *with = g_strdup_printf ("%s (%s)", e->status,
                                            health_status_to_string (health->status));
              g_free (e->status);
              e->status = with;
            }
        }
      g_autofree char *ports = ports_text (c);
      g_autofree char *age = cli_human_duration (now - c->created);
      g_autofree char *created = g_strdup_printf ("%s ago", age);
      g_autofree char *shortid = g_strndup (id, no_trunc ? 64 : 12);
      if (quiet)
        {
          printf ("%s\n", shortid);
          continue;
        }
      if (json)
        {
          g_ptr_array_add (json_rows, ps_json (e, cmd));
          continue;
        }
      if (tmpl)
        {
          g_autoptr (JsonObject) row = ps_row (e, shortid, cmd, created);
          if (!cli_template_add_row (tmpl, row, &error))
            return cli_fail (error);
          continue;
        }
      {
        g_autofree char *shortcmd = !no_trunc && strlen (cmd) > 20 ? g_strndup (cmd, 17) : NULL;
        g_autofree char *podid = g_strndup (c->pod ? c->pod : "", no_trunc ? 64 : 12);
        char *row[] = { shortid, c->image, shortcmd ? g_strconcat (shortcmd, "...", NULL) : g_strdup (cmd),
                        created, e->status, ports, c->name, pod ? podid : NULL, e->pod_name, NULL };
        char **copy = g_strdupv (row);
        g_free (row[2]);
        g_ptr_array_add (rows, copy);
      }
    }
  if (json)
    cli_print_json_rows (json_rows);
  else if (tmpl)
    cli_template_print (tmpl, noheading);
  else if (!quiet)
    cli_print_table (rows);
  return 0;
}
