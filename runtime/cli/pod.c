/* SPDX-License-Identifier: Apache-2.0 */
/* podunit pod create|start|stop|restart|kill|rm|ps|inspect|exists, and
 * `container cleanup` (what a pod member's supervisor runs after its exit:
 * the pod's exit policy). Pods are pod/pod.h's; the infra's network
 * settings go through run's own steps (run-config.h), so `pod create -p`
 * and `run -p` read the same way.
 *
 * Quadlet's .pod service runs
 *   pod create --infra-conmon-pidfile=%t/%N.pid --replace --exit-policy stop ... --name NAME
 *   pod start NAME  (Type=forking, PIDFile= the infra's supervisor)
 *   pod stop --ignore --time=10 NAME;  pod rm --ignore --force NAME */
#include "cli/cli.h"
#include "cli/pod-new.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/image-util.h"
#include "cli/template.h"
#include "container/container.h"
#include "container/launch.h"
#include "names.h"
#include "net/ports.h"
#include "pod/pod.h"

/* Flags podman's pod create has that podunit does not (yet): named. */
static gboolean
unsupported_cb (const char *name, const char *value, gpointer data, GError **error)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
               "pod create %s is not supported by podunit yet", name);
  return FALSE;
}

#define UNSUP(l) { l, 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, unsupported_cb, NULL, NULL }

static char *
rfc3339 (gint64 sec)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (sec);
  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S%:z") : g_strdup ("");
}

/* --share's value as podman reads it: a list of cgroup, ipc, net, pid,
 * uts ("none" or "": nothing), or "+LIST" added to the default. */
static char **
parse_share (const char *arg, GError **error)
{
  static const char *const known[] = { "cgroup", "ipc", "net", "pid", "uts", NULL };
  gboolean add = arg[0] == '+';
  g_auto (GStrv) words = g_strsplit (arg + add, ",", -1);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  if (add)
    {
      g_auto (GStrv) dflt = g_strsplit (POD_SHARE_DEFAULT, ",", -1);
      for (char **d = dflt; *d; d++)
        g_ptr_array_add (out, g_strdup (*d));
    }
  for (char **w = words; *w; w++)
    {
      g_strstrip (*w);
      if (!**w || g_str_equal (*w, "none"))
        continue;
      if (!g_strv_contains (known, *w))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "invalid kernel namespace to share: %s. Options are: cgroup, ipc, net, "
                       "pid, uts or none",
                       *w);
          return NULL;
        }
      if (!g_ptr_array_find_with_equal_func (out, *w, g_str_equal, NULL))
        g_ptr_array_add (out, g_strdup (*w));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* --infra-image: an infra made as `run` makes a container of that image
 * (pulled when missing), its command --infra-command's or the image's. */
static ContainerConfig *
infra_from_image (CliGlobal *g, RunOpts *o, const PodInfraOpts *io, GError **error)
{
  g_autoptr (ContainerConfig) c = g_new0 (ContainerConfig, 1);
  g_autoptr (Store) store = store_open (g->root, g->runroot, error);
  g_autoptr (StoreRunImage) img
      = store ? cli_run_image (store, io->image, NULL, NULL, NULL, NULL, error) : NULL;
  g_auto (GStrv) env = g_get_environ ();
  g_auto (GStrv) command = NULL;

  if (!img)
    return NULL;
  if (io->command && !g_shell_parse_argv (io->command, NULL, &command, error))
    {
      g_prefix_error (error, "--infra-command: ");
      return NULL;
    }
  {
    const RunInputs in = { .root = g->root, .img = img, .env = env, .warn = NULL };
    if (!run_config_build (o, &in, c, error))
      return NULL;
  }
  if (command)
    {
      g_strfreev (c->argv);
      c->argv = g_steal_pointer (&command);
    }
  c->image = g_strdup (io->image);
  c->image_id = g_strdup (img->id);
  c->layer_dirs = g_strdupv (img->layer_dirs);
  return g_steal_pointer (&c);
}

/* The infra container for a pod made with @o's network flags: run's
 * network and ports steps, the rest fixed (pod.h); or from --infra-image. */
static ContainerConfig *
infra_config (CliGlobal *g, RunOpts *o, const PodInfraOpts *io, GError **error)
{
  g_autoptr (ContainerConfig) c = NULL;
  const RunInputs in = { .root = g->root };
  g_autofree char *pause = pod_pause_path ();

  if (io->image)
    {
      c = infra_from_image (g, o, io, error);
      if (!c)
        return NULL;
    }
  else
    {
      c = g_new0 (ContainerConfig, 1);
      c->image = g_strdup ("podunit-pause");
      c->argv = g_new0 (char *, 2);
      c->argv[0] = g_steal_pointer (&pause);
      c->memory = c->pids_limit = c->cpu_quota = -1;
      if (!run_config_network (o, &in, c, error) || !run_config_ports (o, &in, c, error))
        return NULL;
    }
  c->id = container_new_id ();
  g_free (c->name);
  c->name = g_strdup (io->name);
  c->created = g_get_real_time () / G_USEC_PER_SEC;
  c->stop_timeout = 10;
  g_free (c->log_driver);
  c->log_driver = g_strdup ("none");
  /* Under systemd (Quadlet's .pod sets PODMAN_SYSTEMD_UNIT) the infra's
   * supervisor is the unit's main pid (PIDFile=) and stays in its cgroup;
   * the infra process gets its own, as `enabled` places it. */
  g_free (c->cgroups);
  c->cgroups = g_strdup (g_getenv ("PODMAN_SYSTEMD_UNIT") ? "no-conmon" : "enabled");
  g_free (c->conmon_pidfile);
  c->conmon_pidfile = io->pidfile ? g_canonicalize_filename (io->pidfile, NULL) : NULL;
  return g_steal_pointer (&c);
}

gboolean
cli_pod_new (CliGlobal *g, RunOpts *o, Pod *p, const PodInfraOpts *infra, gboolean replace,
             GError **error)
{
  g_autoptr (ContainerConfig) c = NULL;
  const PodInfraOpts dflt = { 0 };

  /* Without --name, pod_create picks a free name under the pods' lock
   * and makes it the host name. */
  if (!p->hostname)
    p->hostname = g_strdup (o->hostname ? o->hostname : p->name);
  if (!p->share)
    p->share = g_strsplit (POD_SHARE_DEFAULT, ",", -1);
  if (!infra)
    infra = &dflt;
  if (infra->none)
    {
      /* podman: nothing is shared without an infra to hold it */
      g_strfreev (p->share);
      p->share = g_new0 (char *, 1);
      return pod_create (&g->launch, p, NULL, replace, error);
    }
  g_free (o->hostname);
  o->hostname = g_strdup (p->hostname);
  c = infra_config (g, o, infra, error);
  if (!c)
    return FALSE;
  return pod_create (&g->launch, p, c, replace, error);
}

int
cli_pod_create (CliGlobal *g, int argc, char **argv)
{
  RunOpts o = { 0 };
  g_autofree char *name = NULL, *infra_name = NULL, *pidfile = NULL, *exit_policy = NULL,
                  *pod_id_file = NULL, *share = NULL, *infra_cmd = NULL, *infra_image = NULL;
  gboolean replace = FALSE, share_parent = TRUE;
  int infra = -1; /* --infra[=BOOL]; -1: not given */
  g_auto (GStrv) labels = NULL;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "Pod name", "NAME" },
    { "infra-name", 0, 0, G_OPTION_ARG_STRING, &infra_name, "Infra container name", "NAME" },
    { "infra-conmon-pidfile", 0, 0, G_OPTION_ARG_STRING, &pidfile,
      "Write the infra's supervisor pid to this file", "FILE" },
    { "exit-policy", 0, 0, G_OPTION_ARG_STRING, &exit_policy,
      "continue, or stop: the pod stops when its last container exits", "POLICY" },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, "Replace a pod of the same name", NULL },
    { "pod-id-file", 0, 0, G_OPTION_ARG_STRING, &pod_id_file, "Write the pod id to the file",
      "FILE" },
    { "label", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &labels, "Set a label", "KEY=VALUE" },
    { "share", 0, 0, G_OPTION_ARG_STRING, &share,
      "Namespaces to share: cgroup,ipc,net,pid,uts, none, or +NS added to ipc,net,uts", "NS" },
    { "share-parent", 0, 0, G_OPTION_ARG_NONE, &share_parent,
      "Accepted (each container has a cgroup of its own)", NULL },
    { "infra", 0, 0, G_OPTION_ARG_NONE, &infra, "Create an infra container (default)", NULL },
    { "infra-command", 0, 0, G_OPTION_ARG_STRING, &infra_cmd,
      "The --infra-image's command (podunit-pause takes none)", "COMMAND" },
    { "infra-image", 0, 0, G_OPTION_ARG_STRING, &infra_image,
      "The infra's image (default: podunit's built-in podunit-pause)", "IMAGE" },
    { "hostname", 0, 0, G_OPTION_ARG_STRING, &o.hostname, "The pod's host name", "NAME" },
    { "network", 0, 0, G_OPTION_ARG_STRING, &o.network, "Network mode or names (a,b)", "NET" },
    { "net", 0, 0, G_OPTION_ARG_STRING, &o.network, "Alias of --network", "NET" },
    { "publish", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &o.publish, "Publish a port", "PORT" },
    { "ip", 0, 0, G_OPTION_ARG_STRING, &o.ip, "IPv4 address on the first network", "IP" },
    { "ip6", 0, 0, G_OPTION_ARG_STRING, &o.ip6, "IPv6 address on the first network", "IP" },
    { "mac-address", 0, 0, G_OPTION_ARG_STRING, &o.mac, "MAC address", "MAC" },
    { "network-alias", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.network_alias, "Another name",
      "ALIAS" },
    { "add-host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.add_host, "HOST:IP in /etc/hosts", NULL },
    { "dns", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.dns, "DNS servers", NULL },
    { "dns-search", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.dns_search, "DNS search domains", NULL },
    { "dns-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.dns_option, "DNS options", NULL },
    UNSUP ("userns"), UNSUP ("uidmap"), UNSUP ("gidmap"), UNSUP ("subuidname"),
    UNSUP ("subgidname"), UNSUP ("volume"), UNSUP ("shm-size"),
    UNSUP ("cgroup-parent"), UNSUP ("cpus"), UNSUP ("memory"), UNSUP ("device"),
    UNSUP ("security-opt"), UNSUP ("sysctl"), UNSUP ("pid"), UNSUP ("uts"),
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (Pod) p = g_new0 (Pod, 1);
  int status = EXIT_PODUNIT;

  if (!cli_parse_options (&argc, &argv, entries, "[NAME]", FALSE))
    goto out;
  if (argc > 2)
    {
      cli_error ("pod create takes at most 1 argument (the name)");
      goto out;
    }
  if (argc == 2 && name && !g_str_equal (name, argv[1]))
    {
      cli_error ("cannot specify --name and give a different name as the argument");
      goto out;
    }
  if (infra == 0 && (infra_image || infra_cmd || infra_name || pidfile))
    {
      cli_error ("cannot set --infra-%s without an infra container (--infra=false)",
                 infra_image ? "image" : infra_cmd ? "command" : infra_name ? "name"
                                                                         : "conmon-pidfile");
      goto out;
    }
  if (exit_policy && !pod_exit_policy_valid (exit_policy))
    {
      cli_error ("running pod create option: invalid pod exit policy: \"%s\"", exit_policy);
      goto out;
    }
  p->share = parse_share (share ? share : POD_SHARE_DEFAULT, &error);
  if (!p->share)
    {
      cli_error ("%s", error->message);
      goto out;
    }
  p->name = g_strdup (argc == 2 ? argv[1] : name);
  p->exit_policy = g_strdup (exit_policy ? exit_policy : "continue");
  p->labels = g_steal_pointer (&labels);
  {
    /* podman: --share none makes no infra unless --infra is given */
    const PodInfraOpts io = { .none = infra == 0 || (infra < 0 && !p->share[0]),
                              .name = infra_name, .pidfile = pidfile,
                              .image = infra_image, .command = infra_cmd };
    if (!cli_pod_new (g, &o, p, &io, replace, &error))
      {
        cli_error ("%s", error->message);
        goto out;
      }
  }
  if (pod_id_file && !g_file_set_contents (pod_id_file, p->id, -1, &error))
    {
      cli_error ("%s", error->message);
      pod_remove (&g->launch, p, TRUE, NULL);
      goto out;
    }
  printf ("%s\n", p->id);
  status = 0;
out:
  run_opts_clear (&o);
  return status;
}

/* The pods a verb acts on: the operands, the ids in --pod-id-file, or
 * with @all every pod. Missing ones are reported (unless @ignore) and
 * set *status to @missing_status. */
static GPtrArray *
pod_args (CliGlobal *g, int argc, char **argv, char **id_files, gboolean all, gboolean ignore,
          int missing_status, int *status)
{
  GPtrArray *pods = g_ptr_array_new_with_free_func ((GDestroyNotify) pod_free);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    g_ptr_array_add (names, g_strdup (argv[i]));
  for (char **f = id_files; f && *f; f++)
    {
      g_autofree char *id = NULL;
      g_autoptr (GError) error = NULL;
      if (!g_file_get_contents (*f, &id, NULL, &error))
        {
          if (!ignore)
            {
              cli_error ("reading pod ID: %s", error->message);
              *status = EXIT_PODUNIT;
            }
          continue;
        }
      g_ptr_array_add (names, g_strdup (g_strstrip (id)));
    }
  if (all)
    {
      g_autoptr (GPtrArray) ids = pod_list (g->root, NULL);
      for (guint i = 0; i < ids->len; i++)
        g_ptr_array_add (names, g_strdup (ids->pdata[i]));
    }
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *id = pod_resolve (g->root, names->pdata[i], &error);
      Pod *p = id ? pod_load (g->root, id, &error) : NULL;
      if (!p)
        {
          if (!ignore || !g_error_matches (error, POD_ERROR, POD_ERROR_NOT_FOUND))
            {
              cli_error ("%s", error->message);
              *status = missing_status;
            }
          continue;
        }
      g_ptr_array_add (pods, p);
    }
  return pods;
}

static gboolean
need_pods (int argc, char **id_files, gboolean all)
{
  if (argc < 2 && !id_files && !all)
    {
      cli_error ("you must provide at least one name or id");
      return FALSE;
    }
  return TRUE;
}

/* What a pod verb does to one pod (@arg: its flag's value); FALSE with
 * @error set. */
typedef gboolean (*PodOp) (CliGlobal *g, const Pod *p, gintptr arg, GError **error);

/* Applies @op to each of @pods, printing the id of each one done; a
 * failure is reported (@fail gives the status) and the rest still go. */
static int
each_pod (CliGlobal *g, GPtrArray *pods, PodOp op, gintptr arg, int (*fail) (GError *),
          int status)
{
  for (guint i = 0; i < pods->len; i++)
    {
      g_autoptr (GError) error = NULL;
      Pod *p = pods->pdata[i];
      if (!op (g, p, arg, &error))
        {
          status = fail (error);
          continue;
        }
      printf ("%s\n", p->id);
    }
  return status;
}

static gboolean
op_start (CliGlobal *g, const Pod *p, gintptr arg, GError **error)
{
  return pod_start (&g->launch, p, error);
}

static gboolean
op_stop (CliGlobal *g, const Pod *p, gintptr timeout, GError **error)
{
  return pod_stop (&g->launch, p, timeout, error);
}

static gboolean
op_restart (CliGlobal *g, const Pod *p, gintptr arg, GError **error)
{
  return pod_stop (&g->launch, p, -1, error) && pod_start (&g->launch, p, error);
}

static gboolean
op_kill (CliGlobal *g, const Pod *p, gintptr sig, GError **error)
{
  return pod_kill (&g->launch, p, (int) sig, error);
}

static gboolean
op_pause (CliGlobal *g, const Pod *p, gintptr pause, GError **error)
{
  return pod_pause (&g->launch, p, (gboolean) pause, error);
}

int
cli_pod_start (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE;
  g_auto (GStrv) id_files = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Start all pods", NULL },
    { "pod-id-file", 0, 0, G_OPTION_ARG_STRING_ARRAY, &id_files, "Read the pod id from the file",
      "FILE" },
    { NULL },
  };
  g_autoptr (GPtrArray) pods = NULL;
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "POD...", FALSE)
      || !need_pods (argc, id_files, all))
    return EXIT_PODUNIT;
  pods = pod_args (g, argc, argv, id_files, all, FALSE, EXIT_PODUNIT, &status);
  return each_pod (g, pods, op_start, 0, cli_launch_fail, status);
}

int
cli_pod_stop (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, ignore = FALSE;
  gint timeout = -1;
  g_auto (GStrv) id_files = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Stop all pods", NULL },
    { "ignore", 'i', 0, G_OPTION_ARG_NONE, &ignore, "Ignore missing pods", NULL },
    { "time", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait before SIGKILL", NULL },
    { "pod-id-file", 0, 0, G_OPTION_ARG_STRING_ARRAY, &id_files, "Read the pod id from the file",
      "FILE" },
    { NULL },
  };
  g_autoptr (GPtrArray) pods = NULL;
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "POD...", FALSE)
      || !need_pods (argc, id_files, all))
    return EXIT_PODUNIT;
  pods = pod_args (g, argc, argv, id_files, all, ignore, EXIT_PODUNIT, &status);
  return each_pod (g, pods, op_stop, timeout, cli_fail, status);
}

int
cli_pod_restart (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Restart all pods", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) pods = NULL;
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "POD...", FALSE) || !need_pods (argc, NULL, all))
    return EXIT_PODUNIT;
  pods = pod_args (g, argc, argv, NULL, all, FALSE, EXIT_PODUNIT, &status);
  return each_pod (g, pods, op_restart, 0, cli_launch_fail, status);
}

int
cli_pod_kill (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE;
  g_autofree char *signal = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Kill all pods", NULL },
    { "signal", 's', 0, G_OPTION_ARG_STRING, &signal, "Signal to send (default KILL)", "SIGNAL" },
    { NULL },
  };
  g_autoptr (GPtrArray) pods = NULL;
  int status = 0, sig = SIGKILL;

  if (!cli_parse_options (&argc, &argv, entries, "POD...", FALSE) || !need_pods (argc, NULL, all))
    return EXIT_PODUNIT;
  if (signal && (sig = container_parse_signal (signal)) <= 0)
    {
      cli_error ("invalid signal: %s", signal);
      return EXIT_PODUNIT;
    }
  pods = pod_args (g, argc, argv, NULL, all, FALSE, EXIT_PODUNIT, &status);
  return each_pod (g, pods, op_kill, sig, cli_fail, status);
}

static int
pod_pause_verb (CliGlobal *g, int argc, char **argv, gboolean pause)
{
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, pause ? "Pause all pods" : "Unpause all pods",
      NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) pods = NULL;
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "POD...", FALSE) || !need_pods (argc, NULL, all))
    return EXIT_PODUNIT;
  pods = pod_args (g, argc, argv, NULL, all, FALSE, EXIT_PODUNIT, &status);
  return each_pod (g, pods, op_pause, pause, cli_fail, status);
}

int
cli_pod_pause (CliGlobal *g, int argc, char **argv)
{
  return pod_pause_verb (g, argc, argv, TRUE);
}

int
cli_pod_unpause (CliGlobal *g, int argc, char **argv)
{
  return pod_pause_verb (g, argc, argv, FALSE);
}

int
cli_pod_rm (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, ignore = FALSE, force = FALSE;
  gint timeout = -1;
  g_auto (GStrv) id_files = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Remove all pods", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Stop and remove running containers", NULL },
    { "ignore", 'i', 0, G_OPTION_ARG_NONE, &ignore, "Ignore missing pods", NULL },
    { "time", 't', 0, G_OPTION_ARG_INT, &timeout, "Accepted; stops use each one's timeout",
      NULL },
    { "pod-id-file", 0, 0, G_OPTION_ARG_STRING_ARRAY, &id_files, "Read the pod id from the file",
      "FILE" },
    { NULL },
  };
  g_autoptr (GPtrArray) pods = NULL;
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "POD...", FALSE)
      || !need_pods (argc, id_files, all))
    return EXIT_PODUNIT;
  /* podman: a missing pod is status 1, as a missing container for rm;
   * --force ignores it */
  pods = pod_args (g, argc, argv, id_files, all, ignore || force, 1, &status);
  for (guint i = 0; i < pods->len; i++)
    {
      g_autoptr (GError) error = NULL;
      Pod *p = pods->pdata[i];
      if (timeout >= 0 && force && !pod_stop (&g->launch, p, timeout, &error))
        {
          status = cli_fail (error);
          continue;
        }
      if (!pod_remove (&g->launch, p, force, &error))
        {
          status = cli_fail (error);
          continue;
        }
      printf ("%s\n", p->id);
    }
  for (char **f = id_files; status == 0 && f && *f; f++)
    unlink (*f);
  return status;
}

int
cli_pod_exists (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *id = NULL;
  if (!cli_parse_options (&argc, &argv, (GOptionEntry[]){ { NULL } }, "POD", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("accepts 1 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  id = pod_resolve (g->root, argv[1], NULL);
  return id ? 0 : 1;
}

/* What ps and inspect show of a pod: its containers' states. */
typedef struct {
  Pod *p;
  GPtrArray *ids;  /* infra first */
  GArray *states;  /* ContainerStatus */
  GPtrArray *names;
} PodView;

static void
pod_view_clear (PodView *v)
{
  g_clear_pointer (&v->ids, g_ptr_array_unref);
  g_clear_pointer (&v->states, g_array_unref);
  g_clear_pointer (&v->names, g_ptr_array_unref);
}

static void
pod_view_load (CliGlobal *g, Pod *p, PodView *v)
{
  v->p = p;
  v->ids = pod_containers (g->root, p);
  v->states = g_array_new (FALSE, FALSE, sizeof (ContainerStatus));
  v->names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < v->ids->len; i++)
    {
      ContainerState st = { .status = CONTAINER_CREATED };
      g_autoptr (ContainerConfig) c = container_config_load (g->root, v->ids->pdata[i], NULL);
      container_state_load (g->runroot, v->ids->pdata[i], &st, NULL);
      g_array_append_val (v->states, st.status);
      g_ptr_array_add (v->names, g_strdup (c ? c->name : ""));
    }
}

static const char *
view_status (const PodView *v)
{
  return pod_status ((ContainerStatus *) v->states->data, v->states->len);
}

static const char *
ctr_state_text (ContainerStatus s)
{
  return s == CONTAINER_STOPPING ? "running" : container_status_to_string (s);
}

static JsonObject *
labels_object (char **labels)
{
  JsonObject *o = json_object_new ();
  for (char **l = labels; l && *l; l++)
    {
      const char *eq = strchr (*l, '=');
      g_autofree char *k = eq ? g_strndup (*l, eq - *l) : g_strdup (*l);
      json_object_set_string_member (o, k, eq ? eq + 1 : "");
    }
  return o;
}

/* podman's pod inspect: JSON names, and for --format the Go field names
 * (@go: ID, InfraContainerID, Containers[].ID). */
static JsonObject *
inspect_object (CliGlobal *g, const PodView *v, gboolean go)
{
  JsonObject *o = json_object_new ();
  JsonArray *ctrs = json_array_new ();
  JsonArray *share = json_array_new ();
  JsonObject *infra = json_object_new ();
  JsonArray *ports = json_array_new ();
  JsonArray *nets = json_array_new ();
  g_autofree char *created = rfc3339 (v->p->created);
  g_autoptr (ContainerConfig) ic
      = v->p->infra_id ? container_config_load (g->root, v->p->infra_id, NULL) : NULL;

  json_object_set_string_member (o, go ? "ID" : "Id", v->p->id);
  json_object_set_string_member (o, "Name", v->p->name);
  json_object_set_string_member (o, "Created", created);
  json_object_set_string_member (o, "ExitPolicy", v->p->exit_policy);
  json_object_set_string_member (o, "State", view_status (v));
  json_object_set_string_member (o, "Hostname", v->p->hostname);
  json_object_set_object_member (o, "Labels", labels_object (v->p->labels));
  json_object_set_boolean_member (o, "CreateInfra", TRUE);
  json_object_set_string_member (o, go ? "InfraContainerID" : "InfraContainerId",
                                 v->p->infra_id ? v->p->infra_id : "");
  for (char **s = ic ? ic->ports : NULL; s && *s; s++)
    {
      NetPort port;
      if (net_port_from_string (*s, &port))
        json_array_add_string_element (ports, net_port_display (&port));
    }
  json_object_set_array_member (infra, "PortBindings", ports);
  json_object_set_boolean_member (infra, "HostNetwork", ic && g_strcmp0 (ic->network, "host") == 0);
  json_object_set_string_member (infra, "StaticIP", ic && ic->ip ? ic->ip : "");
  json_object_set_string_member (infra, "StaticMAC", ic && ic->mac ? ic->mac : "");
  if (ic && ic->network && !g_str_equal (ic->network, "private") && !g_str_equal (ic->network, "host")
      && !g_str_equal (ic->network, "none"))
    {
      g_auto (GStrv) n = g_strsplit (ic->network, ",", -1);
      for (char **x = n; *x; x++)
        json_array_add_string_element (nets, *x);
    }
  json_object_set_array_member (infra, "Networks", nets);
  json_object_set_string_member (infra, "NetworkMode", ic && ic->network ? ic->network : "");
  json_object_set_object_member (o, "InfraConfig", infra);
  for (char **s = v->p->share; s && *s; s++)
    json_array_add_string_element (share, *s);
  json_object_set_array_member (o, "SharedNamespaces", share);
  json_object_set_int_member (o, "NumContainers", v->ids->len);
  for (guint i = 0; i < v->ids->len; i++)
    {
      JsonObject *c = json_object_new ();
      json_object_set_string_member (c, go ? "ID" : "Id", v->ids->pdata[i]);
      json_object_set_string_member (c, "Name", v->names->pdata[i]);
      json_object_set_string_member (c, "State",
                                     ctr_state_text (g_array_index (v->states, ContainerStatus, i)));
      json_array_add_object_element (ctrs, c);
    }
  json_object_set_array_member (o, "Containers", ctrs);
  return o;
}

int
cli_pod_inspect (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *format = NULL;
  gboolean latest = FALSE;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Go template for each pod", "FORMAT" },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "The latest pod", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (CliTemplate) tmpl = NULL;
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "POD...", FALSE))
    return EXIT_PODUNIT;
  if (latest)
    {
      g_autoptr (GPtrArray) ids = pod_list (g->root, NULL);
      pods = g_ptr_array_new_with_free_func ((GDestroyNotify) pod_free);
      if (ids->len > 0)
        g_ptr_array_add (pods, pod_load (g->root, ids->pdata[ids->len - 1], NULL));
    }
  else if (!need_pods (argc, NULL, FALSE))
    return EXIT_PODUNIT;
  else
    pods = pod_args (g, argc, argv, NULL, FALSE, FALSE, EXIT_PODUNIT, &status);
  if (format && !cli_template_is_json (format) && !(tmpl = cli_template_new (format, NULL, &error)))
    return cli_fail (error);
  for (guint i = 0; i < pods->len; i++)
    {
      PodView v = { 0 };
      if (!pods->pdata[i])
        continue;
      pod_view_load (g, pods->pdata[i], &v);
      if (tmpl)
        {
          g_autoptr (JsonObject) row = inspect_object (g, &v, TRUE);
          if (!cli_template_add_row (tmpl, row, &error))
            {
              pod_view_clear (&v);
              return cli_fail (error);
            }
        }
      else
        g_ptr_array_add (rows, inspect_object (g, &v, FALSE));
      pod_view_clear (&v);
    }
  if (tmpl)
    cli_template_print (tmpl, FALSE);
  else
    cli_print_json_rows (rows);
  return status;
}

static gboolean
pod_matches (char **filters, const PodView *v)
{
  for (char **f = filters; f && *f; f++)
    {
      const char *eq = strchr (*f, '=');
      const char *val = eq ? eq + 1 : "";
      if (g_str_has_prefix (*f, "name="))
        {
          g_autoptr (GRegex) re = g_regex_new (val, 0, 0, NULL);
          if (!re || !g_regex_match (re, v->p->name, 0, NULL))
            return FALSE;
        }
      else if (g_str_has_prefix (*f, "id="))
        {
          if (!g_str_has_prefix (v->p->id, val))
            return FALSE;
        }
      else if (g_str_has_prefix (*f, "status="))
        {
          if (g_ascii_strcasecmp (view_status (v), val) != 0)
            return FALSE;
        }
      else if (g_str_has_prefix (*f, "label="))
        {
          gboolean m = FALSE;
          for (char **l = v->p->labels; l && *l && !m; l++)
            m = strchr (val, '=') ? g_str_equal (*l, val)
                                  : g_str_has_prefix (*l, val) && (*l)[strlen (val)] == '=';
          if (!m)
            return FALSE;
        }
    }
  return TRUE;
}

static char *
human_ago (gint64 seconds)
{
  g_autofree char *d = cli_human_duration (seconds);
  return g_strdup_printf ("%s ago", d);
}

int
cli_pod_ps (CliGlobal *g, int argc, char **argv)
{
  gboolean quiet = FALSE, no_trunc = FALSE, noheading = FALSE, ctr_names = FALSE,
           ctr_ids = FALSE, ctr_status = FALSE, ns = FALSE, latest = FALSE;
  g_autofree char *format = NULL, *sort = NULL;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the IDs", NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Do not truncate", NULL },
    { "noheading", 'n', 0, G_OPTION_ARG_NONE, &noheading, "Do not print the header", NULL },
    { "ctr-names", 0, 0, G_OPTION_ARG_NONE, &ctr_names, "Show the containers' names", NULL },
    { "ctr-ids", 0, 0, G_OPTION_ARG_NONE, &ctr_ids, "Show the containers' ids", NULL },
    { "ctr-status", 0, 0, G_OPTION_ARG_NONE, &ctr_status, "Show the containers' states", NULL },
    { "ns", 0, 0, G_OPTION_ARG_NONE, &ns, "Accepted; namespaces are not shown", NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "Only the latest pod", NULL },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort, "Accepted; newest first", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template", NULL },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, "name=, id=, status=, label=",
      NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) json_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (CliTemplate) tmpl = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean json;

  if (!cli_parse_options (&argc, &argv, entries, "", FALSE))
    return EXIT_PODUNIT;
  for (char **f = filters; f && *f; f++)
    if (!g_str_has_prefix (*f, "name=") && !g_str_has_prefix (*f, "id=")
        && !g_str_has_prefix (*f, "status=") && !g_str_has_prefix (*f, "label="))
      {
        cli_error ("--filter %s is not supported by podunit yet", *f);
        return EXIT_PODUNIT;
      }
  json = cli_template_is_json (format);
  if (format && !json && !quiet && !(tmpl = cli_template_new (format, NULL, &error)))
    return cli_fail (error);
  if (!quiet && !tmpl && !json && !noheading)
    {
      GPtrArray *h = g_ptr_array_new ();
      for (const char *const *x = (const char *const[]){ "POD ID", "NAME", "STATUS", "CREATED",
                                                         "INFRA ID", NULL };
           *x; x++)
        g_ptr_array_add (h, g_strdup (*x));
      if (ctr_ids)
        g_ptr_array_add (h, g_strdup ("IDS"));
      if (ctr_names)
        g_ptr_array_add (h, g_strdup ("NAMES"));
      if (ctr_status)
        g_ptr_array_add (h, g_strdup ("STATUS"));
      if (!ctr_ids && !ctr_names && !ctr_status)
        g_ptr_array_add (h, g_strdup ("# OF CONTAINERS"));
      g_ptr_array_add (h, NULL);
      g_ptr_array_add (rows, g_ptr_array_free (h, FALSE));
    }
  ids = pod_list (g->root, NULL);
  for (guint i = ids->len; i > 0; i--)
    {
      g_autoptr (Pod) p = pod_load (g->root, ids->pdata[i - 1], NULL);
      g_autofree char *shortid = NULL, *infra = NULL, *created = NULL, *count = NULL;
      PodView v = { 0 };
      if (!p)
        continue;
      pod_view_load (g, p, &v);
      if (!pod_matches (filters, &v))
        {
          pod_view_clear (&v);
          continue;
        }
      shortid = g_strndup (p->id, no_trunc ? 64 : 12);
      infra = g_strndup (p->infra_id ? p->infra_id : "", no_trunc ? 64 : 12);
      created = human_ago (now - p->created);
      count = g_strdup_printf ("%u", v.ids->len);
      if (quiet)
        printf ("%s\n", shortid);
      else if (json || tmpl)
        {
          JsonObject *row = json_object_new ();
          JsonArray *ctrs = json_array_new ();
          g_autofree char *created_at = rfc3339 (p->created);
          json_object_set_string_member (row, json ? "Id" : "ID", json ? p->id : shortid);
          json_object_set_string_member (row, "Name", p->name);
          json_object_set_string_member (row, "Status", view_status (&v));
          json_object_set_string_member (row, "Created", json ? created_at : created);
          json_object_set_string_member (row, json ? "InfraId" : "InfraID", json ? p->infra_id : infra);
          if (json)
            json_object_set_object_member (row, "Labels", labels_object (p->labels));
          else
            {
              /* podman's reporter: {{.Labels}} "k=v,k2=v2", {{.Label "k"}} one */
              g_autofree char *text = cli_labels_text (p->labels);
              json_object_set_string_member (row, "Labels", text);
              json_object_set_object_member (row, "Label", labels_object (p->labels));
            }
          json_object_set_string_member (row, "NumberOfContainers", count);
          for (guint k = 0; k < v.ids->len; k++)
            {
              JsonObject *c = json_object_new ();
              json_object_set_string_member (c, "Id", v.ids->pdata[k]);
              json_object_set_string_member (c, "Names", v.names->pdata[k]);
              json_object_set_string_member (
                  c, "Status", ctr_state_text (g_array_index (v.states, ContainerStatus, k)));
              json_array_add_object_element (ctrs, c);
            }
          json_object_set_array_member (row, "Containers", ctrs);
          if (json)
            g_ptr_array_add (json_rows, row);
          else
            {
              gboolean ok = cli_template_add_row (tmpl, row, &error);
              json_object_unref (row);
              if (!ok)
                {
                  pod_view_clear (&v);
                  return cli_fail (error);
                }
            }
        }
      else
        {
          GPtrArray *r = g_ptr_array_new ();
          g_ptr_array_add (r, g_strdup (shortid));
          g_ptr_array_add (r, g_strdup (p->name));
          g_ptr_array_add (r, g_strdup (view_status (&v)));
          g_ptr_array_add (r, g_strdup (created));
          g_ptr_array_add (r, g_strdup (infra));
          if (ctr_ids)
            {
              g_autoptr (GPtrArray) x = g_ptr_array_new_with_free_func (g_free);
              for (guint k = 0; k < v.ids->len; k++)
                g_ptr_array_add (x, g_strndup (v.ids->pdata[k], no_trunc ? 64 : 12));
              g_ptr_array_add (x, NULL);
              g_ptr_array_add (r, g_strjoinv (",", (char **) x->pdata));
            }
          if (ctr_names)
            {
              g_ptr_array_add (v.names, NULL);
              g_ptr_array_add (r, g_strjoinv (",", (char **) v.names->pdata));
              g_ptr_array_remove_index (v.names, v.names->len - 1);
            }
          if (ctr_status)
            {
              g_autoptr (GPtrArray) x = g_ptr_array_new ();
              for (guint k = 0; k < v.ids->len; k++)
                g_ptr_array_add (x, (gpointer) ctr_state_text (
                                        g_array_index (v.states, ContainerStatus, k)));
              g_ptr_array_add (x, NULL);
              g_ptr_array_add (r, g_strjoinv (",", (char **) x->pdata));
            }
          if (!ctr_ids && !ctr_names && !ctr_status)
            g_ptr_array_add (r, g_strdup (count));
          g_ptr_array_add (r, NULL);
          g_ptr_array_add (rows, g_ptr_array_free (r, FALSE));
        }
      pod_view_clear (&v);
      if (latest)
        break;
    }
  if (json)
    cli_print_json_rows (json_rows);
  else if (tmpl)
    cli_template_print (tmpl, noheading);
  else if (!quiet)
    cli_print_table (rows);
  return 0;
}

/* Removes every pod none of whose containers runs (Created, Stopped,
 * Exited), printing their ids; podman asks first unless -f, podunit never
 * asks (as its network and volume prune). */
int
cli_pod_prune (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Do not ask (podunit never asks)", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  int status;

  if (!cli_parse_options (&argc, &argv, entries, "", FALSE))
    return EXIT_PODUNIT;
  status = cli_prune_pods (g, removed);
  for (guint i = 0; i < removed->len; i++)
    printf ("%s\n", (char *) removed->pdata[i]);
  return status;
}

int
cli_prune_pods (CliGlobal *g, GPtrArray *removed)
{
  g_autoptr (GPtrArray) ids = pod_list (g->root, NULL);
  int status = 0;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (Pod) p = pod_load (g->root, ids->pdata[i], NULL);
      PodView v = { 0 };
      const char *st;
      if (!p)
        continue;
      pod_view_load (g, p, &v);
      st = view_status (&v);
      pod_view_clear (&v);
      if (g_str_equal (st, "Running") || g_str_equal (st, "Degraded"))
        continue;
      if (!pod_remove (&g->launch, p, FALSE, &error))
        {
          status = cli_fail (error);
          continue;
        }
      g_ptr_array_add (removed, g_strdup (p->id));
    }
  return status;
}

/* `podunit container cleanup ID`: run by a pod member's supervisor after
 * the member exited (supervisor.h), for the pod's --exit-policy. */
int
cli_container_cleanup (CliGlobal *g, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  if (!cli_parse_options (&argc, &argv, (GOptionEntry[]){ { NULL } }, "CONTAINER", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("accepts 1 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  if (!pod_member_exited (&g->launch, argv[1], &error))
    return cli_fail (error);
  return 0;
}
