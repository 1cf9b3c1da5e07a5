/* SPDX-License-Identifier: Apache-2.0 */
/* podunit stats|container stats [-a] [--no-stream] [--interval N]
 * [--format T|json] [CONTAINER...] and pod stats [-a] [--no-stream]
 * [--format T] [POD...]: what each running container uses (systemd/stats.h),
 * in podman's columns. CPU % is the container's CPU time over its run time
 * for the first sample (podman's too), then over the interval. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/image-util.h"
#include "cli/template.h"
#include "pod/pod.h"
#include "systemd/stats.h"

#define STATS_FORMAT                                                                               \
  "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}" \
  "\t{{.PIDS}}\t{{.CPU}}\t{{.AVGCPU}}"
#define POD_STATS_FORMAT                                                                           \
  "table {{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.CPU}}\t{{.MemUsage}}\t{{.Mem}}\t{{.NetIO}}"            \
  "\t{{.BlockIO}}\t{{.PIDS}}"

/* A container's previous sample, for the CPU % of the next. */
typedef struct
{
  guint64 cpu_nsec;
  gint64 at; /* monotonic microseconds */
} Prev;

static char *
percent (double v)
{
  return g_strdup_printf ("%.2f%%", v);
}

static char *
pair (guint64 a, guint64 b)
{
  g_autofree char *x = cli_human_size (a), *y = cli_human_size (b);
  return g_strconcat (x, " / ", y, NULL);
}

/* One row of podman's ContainerStats (and pod stats' names for them). */
static JsonObject *
sample (CliGlobal *g, const char *id, GHashTable *prev, gboolean json, GError **error)
{
  g_autoptr (ContainerConfig) c = container_config_load (g->root, id, error);
  ContainerState st;
  CgroupStats cs = { 0 };
  JsonObject *o;
  gint64 now = g_get_monotonic_time (), wall = g_get_real_time ();
  double cpu = 0, avg = 0, mem = 0;
  gboolean alive;
  Prev *p;

  if (!c || !container_state_load (g->runroot, id, &st, error))
    return NULL;
  alive = container_status_alive (st.status) && st.pid > 0;
  if (alive && !cgroup_stats_read (st.pid, &cs, NULL))
    alive = FALSE;
  if (alive && st.started_at > 0 && wall > st.started_at)
    avg = (double) cs.cpu_nsec / 1000.0 / (double) (wall - st.started_at) * 100.0;
  p = g_hash_table_lookup (prev, id);
  if (alive && p && now > p->at)
    cpu = (double) (cs.cpu_nsec - MIN (cs.cpu_nsec, p->cpu_nsec)) / 1000.0 / (double) (now - p->at) * 100.0;
  else
    cpu = avg;
  if (!p)
    {
      p = g_new0 (Prev, 1);
      g_hash_table_insert (prev, g_strdup (id), p);
    }
  p->cpu_nsec = cs.cpu_nsec;
  p->at = now;
  if (cs.mem_limit)
    mem = (double) cs.mem_usage / (double) cs.mem_limit * 100.0;

  o = json_object_new ();
  if (json)
    {
      /* podman's JSON: the numbers */
      json_object_set_string_member (o, "ContainerID", c->id);
      json_object_set_string_member (o, "Name", c->name);
      json_object_set_double_member (o, "CPU", cpu);
      json_object_set_int_member (o, "CPUNano", (gint64) cs.cpu_nsec);
      json_object_set_double_member (o, "AvgCPU", avg);
      json_object_set_int_member (o, "MemUsage", (gint64) cs.mem_usage);
      json_object_set_int_member (o, "MemLimit", (gint64) cs.mem_limit);
      json_object_set_double_member (o, "MemPerc", mem);
      json_object_set_int_member (o, "NetInput", (gint64) cs.net_rx);
      json_object_set_int_member (o, "NetOutput", (gint64) cs.net_tx);
      json_object_set_int_member (o, "BlockInput", (gint64) cs.blk_read);
      json_object_set_int_member (o, "BlockOutput", (gint64) cs.blk_write);
      json_object_set_int_member (o, "PIDs", (gint64) cs.pids);
      return o;
    }
  {
    g_autofree char *short_id = g_strndup (c->id, 12);
    g_autofree char *cpu_s = percent (cpu), *avg_s = percent (avg), *mem_s = percent (mem);
    g_autofree char *mem_use = pair (cs.mem_usage, cs.mem_limit);
    g_autofree char *net = pair (cs.net_rx, cs.net_tx), *blk = pair (cs.blk_read, cs.blk_write);
    g_autofree char *pids = g_strdup_printf ("%" G_GUINT64_FORMAT, cs.pids);
    g_autofree char *cpu_time = g_strdup_printf ("%.6fs", (double) cs.cpu_nsec / 1e9);
    g_autofree char *mem_bytes = cli_human_size (cs.mem_usage);
    json_object_set_string_member (o, "ID", short_id);
    json_object_set_string_member (o, "CID", short_id);
    json_object_set_string_member (o, "ContainerID", c->id);
    json_object_set_string_member (o, "Name", c->name);
    json_object_set_string_member (o, "CPUPerc", cpu_s);
    json_object_set_string_member (o, "AVGCPU", avg_s);
    json_object_set_string_member (o, "CPU", cpu_time);
    json_object_set_string_member (o, "UpTime", cpu_time);
    json_object_set_string_member (o, "MemUsage", mem_use);
    json_object_set_string_member (o, "MemUsageBytes", mem_bytes);
    json_object_set_string_member (o, "MemPerc", mem_s);
    json_object_set_string_member (o, "Mem", mem_s);
    json_object_set_string_member (o, "NetIO", net);
    json_object_set_string_member (o, "BlockIO", blk);
    json_object_set_string_member (o, "PIDS", pids);
    json_object_set_string_member (o, "PIDs", pids);
  }
  return o;
}

static GHashTable *
headers (gboolean pod)
{
  GHashTable *h = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (h, "CPUPerc", "CPU %");
  g_hash_table_insert (h, "MemUsage", "MEM USAGE / LIMIT");
  g_hash_table_insert (h, "MemUsageBytes", "MEM USAGE / LIMIT");
  g_hash_table_insert (h, "MemPerc", "MEM %");
  g_hash_table_insert (h, "Mem", "MEM %");
  g_hash_table_insert (h, "NetIO", "NET IO");
  g_hash_table_insert (h, "BlockIO", "BLOCK IO");
  g_hash_table_insert (h, "CPU", "CPU TIME");
  g_hash_table_insert (h, "UpTime", "CPU TIME");
  g_hash_table_insert (h, "AVGCPU", "AVG CPU %");
  if (pod)
    {
      /* pod stats' names (podman's PodStatsReport) */
      g_hash_table_insert (h, "CPU", "CPU %");
      g_hash_table_insert (h, "MemUsage", "MEM USAGE/ LIMIT");
    }
  return h;
}

/* Prints a sample of every container in IDS (POD_NAMES: the pod column of
 * each, for pod stats); once, or every INTERVAL seconds until killed. */
static int
report (CliGlobal *g, GPtrArray *ids, GPtrArray *pod_names, const char *format, gboolean stream,
        int interval, gboolean noheading)
{
  g_autoptr (GHashTable) prev = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) h = headers (pod_names != NULL);
  gboolean json = format && cli_template_is_json (format);
  g_autoptr (GError) error = NULL;

  for (;;)
    {
      g_autoptr (CliTemplate) tmpl = NULL;
      g_autoptr (GPtrArray) rows
          = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      if (!json && !(tmpl = cli_template_new (format, h, &error)))
        return cli_fail (error);
      for (guint i = 0; i < ids->len; i++)
        {
          JsonObject *o = sample (g, ids->pdata[i], prev, json, &error);
          if (!o)
            {
              /* gone since it was listed */
              g_clear_error (&error);
              continue;
            }
          if (pod_names)
            {
              json_object_set_string_member (o, "Pod", pod_names->pdata[i]);
              if (!json)
                json_object_set_string_member (o, "CPU", json_object_get_string_member (o, "CPUPerc"));
            }
          g_ptr_array_add (rows, o);
          if (tmpl && !cli_template_add_row (tmpl, o, &error))
            return cli_fail (error);
        }
      if (stream && isatty (STDOUT_FILENO))
        fputs ("\033[2J\033[H", stdout);
      if (tmpl)
        cli_template_print (tmpl, noheading);
      else
        cli_print_json_rows (rows);
      fflush (stdout);
      if (!stream)
        return 0;
      sleep (interval);
    }
}

CLI_VERB (cli_stats)
{
  gboolean all = FALSE, no_stream = FALSE, no_reset = FALSE, latest = FALSE;
  g_autofree char *format = NULL;
  int interval = 5;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Show all containers (running only by default)",
      NULL },
    { "no-stream", 0, 0, G_OPTION_ARG_NONE, &no_stream, "Print one sample and exit", NULL },
    { "no-reset", 0, 0, G_OPTION_ARG_NONE, &no_reset, "Do not clear the screen between samples",
      NULL },
    { "interval", 'i', 0, G_OPTION_ARG_INT, &interval, "Seconds between samples (default 5)", "N" },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "The latest container", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template or json", "FORMAT" },
    { NULL },
  };
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "[CONTAINER...]", FALSE))
    return EXIT_PODUNIT;
  if (interval < 1)
    {
      cli_error ("invalid interval, must be a positive number greater zero");
      return EXIT_PODUNIT;
    }
  if (argc > 1 || latest)
    {
      int status = 0;
      g_autoptr (GPtrArray) named
          = cli_container_args (g, argc, argv, NULL, FALSE, latest, FALSE, NULL, &status);
      if (!named)
        return status ? status : EXIT_PODUNIT;
      for (guint i = 0; i < named->len; i++)
        {
          char *id = container_resolve (g->root, named->pdata[i], &error);
          if (!id)
            return cli_fail (error);
          g_ptr_array_add (ids, id);
        }
    }
  else
    {
      g_autoptr (GPtrArray) list = container_list (g->root, &error);
      if (!list)
        return cli_fail (error);
      for (guint i = 0; i < list->len; i++)
        {
          ContainerState st;
          if (all || (container_state_load (g->runroot, list->pdata[i], &st, NULL)
                      && container_status_alive (st.status)))
            g_ptr_array_add (ids, g_strdup (list->pdata[i]));
        }
    }
  return report (g, ids, NULL, format ? format : STATS_FORMAT, !no_stream, interval, FALSE);
}

CLI_VERB (cli_pod_stats)
{
  gboolean all = FALSE, no_stream = FALSE, no_reset = FALSE, latest = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Every pod", NULL },
    { "no-stream", 0, 0, G_OPTION_ARG_NONE, &no_stream, "Print one sample and exit", NULL },
    { "no-reset", 0, 0, G_OPTION_ARG_NONE, &no_reset, "Do not clear the screen between samples",
      NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "The latest pod", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template or json", "FORMAT" },
    { NULL },
  };
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) ctrs = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) pod_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "[POD...]", FALSE))
    return EXIT_PODUNIT;
  if (latest)
    {
      cli_error ("pod stats: --latest is not supported by podunit yet");
      return EXIT_PODUNIT;
    }
  pods = g_ptr_array_new_with_free_func (g_free);
  if (argc > 1)
    for (int i = 1; i < argc; i++)
      {
        char *id = pod_resolve (g->root, argv[i], &error);
        if (!id)
          return cli_fail (error);
        g_ptr_array_add (pods, id);
      }
  else
    {
      g_autoptr (GPtrArray) list = pod_list (g->root, &error);
      if (!list)
        return cli_fail (error);
      for (guint i = 0; i < list->len; i++)
        g_ptr_array_add (pods, g_strdup (list->pdata[i]));
    }
  if (!(ctrs = container_list (g->root, &error)))
    return cli_fail (error);
  for (guint k = 0; k < pods->len; k++)
    {
      g_autoptr (Pod) p = pod_load (g->root, pods->pdata[k], &error);
      if (!p)
        return cli_fail (error);
      for (guint i = 0; i < ctrs->len; i++)
        {
          g_autoptr (ContainerConfig) c = container_config_load (g->root, ctrs->pdata[i], NULL);
          ContainerState st;
          if (!c || g_strcmp0 (c->pod, p->id) != 0)
            continue;
          if (!all && argc <= 1
              && !(container_state_load (g->runroot, c->id, &st, NULL)
                   && container_status_alive (st.status)))
            continue;
          g_ptr_array_add (ids, g_strdup (c->id));
          g_ptr_array_add (pod_names, g_strndup (p->id, 12));
        }
    }
  return report (g, ids, pod_names, format ? format : POD_STATS_FORMAT, !no_stream, 5, FALSE);
}
