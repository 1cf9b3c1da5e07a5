/* SPDX-License-Identifier: Apache-2.0 */
/* podunit run / create: podman's flags into a ContainerConfig (completed
 * from the image's config: run-config.h), recorded under ROOT/containers,
 * then started in the foreground or under a supervisor (launch.c). */
#include "cli/cli.h"
#include "container/hooks.h"
#include "cli/run-config.h"
#include "cli/image-util.h"
#include "cli/pod-new.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "systemd/cgroup.h"
#include "container/container.h"
#include "systemd/duration.h"
#include "systemd/health.h"
#include "systemd/journal.h"
#include "container/launch.h"
#include "sandbox/mount.h"
#include "image/store.h"
#include "secret/secret.h"
#include "error.h"

static gboolean
remove_for_replace (const char *id, gpointer data, GError **error)
{
  return launch_remove (data, id, TRUE, error);
}

/* podman replaces what the file held (and removes it with the container) */
static gboolean
write_cidfile (const char *path, const char *id, GError **error)
{
  return g_file_set_contents (path, id, -1, error);
}

/* mounts.conf (podman's): --default-mounts-file alone, else
 * /etc/containers/mounts.conf then /usr/share/containers/mounts.conf (the
 * first one's destination wins); a missing file is no mount. Root only,
 * as podman reads no system file for a rootless user. */
static char **
read_mounts_conf (CliGlobal *g, const char *flag)
{
  const char *file = flag ? flag : g->default_mounts_file;
  const char *const sys[] = { "/etc/containers/mounts.conf", "/usr/share/containers/mounts.conf",
                              NULL };
  const char *const one[] = { file, NULL };
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  if (!file && g->rootless)
    return NULL;
  for (const char *const *f = file ? one : sys; *f; f++)
    {
      g_autofree char *text = NULL;
      g_auto (GStrv) lines = NULL;
      if (!g_file_get_contents (*f, &text, NULL, NULL))
        continue;
      lines = g_strsplit (text, "\n", -1);
      for (char **l = lines; *l; l++)
        {
          char *s = g_strstrip (*l);
          if (*s && *s != '#')
            g_strv_builder_add (b, s);
        }
    }
  return g_strv_builder_end (b);
}

/* podman prints create's warnings as they are, one a line */
static void
warn_plain (const char *message)
{
  fprintf (stderr, "%s\n", message);
}

/* --secret: each secret must exist before the container is recorded
 * (podman's error); its id goes into the entry. */
static gboolean
resolve_secrets (CliGlobal *g, ContainerConfig *c, GError **error)
{
  for (char **s = c->secrets; s && *s; s++)
    {
      g_autofree char *name = container_opt_get (*s, "source");
      g_autoptr (Secret) sec = secret_lookup (g->root, name, error);
      char *with_id;
      if (!sec)
        return FALSE;
      with_id = g_strdup_printf ("%s,id=%s", *s, sec->id);
      g_free (*s);
      *s = with_id;
    }
  return TRUE;
}

/* The container's own copies of its secrets (container_secret_copy):
 * a mount's with its mode (its owner is set at start, in the container's
 * user namespace), an environment variable's readable by root alone. */
static gboolean
copy_secrets (CliGlobal *g, ContainerConfig *c, GError **error)
{
  for (char **s = c->secrets; s && *s; s++)
    {
      g_autofree char *id = container_opt_get (*s, "id");
      g_autofree char *mode = container_opt_get (*s, "mode");
      g_autofree char *path = container_secret_copy (g->root, c->id, *s);
      g_autofree char *dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) < 0)
        return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno,
                            "creating %s", dir);
      if (!secret_export (g->root, id, path, mode ? g_ascii_strtoull (mode, NULL, 8) : 0600,
                          error))
        return FALSE;
    }
  return TRUE;
}

/* --pod NAME, --pod-id-file FILE, --pod new:NAME (made now, taking run's
 * network flags, as podman's). NULL with *@error when it cannot be found
 * or made; NULL without one when no pod was asked for. */
static Pod *
resolve_pod (CliGlobal *g, RunOpts *o, GError **error)
{
  g_autofree char *ref = NULL, *id = NULL;
  if (o->pod && o->pod_id_file)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--pod and --pod-id-file cannot be used together");
      return NULL;
    }
  if (o->pod_id_file)
    {
      if (!g_file_get_contents (o->pod_id_file, &ref, NULL, error))
        {
          g_prefix_error (error, "reading pod ID: ");
          return NULL;
        }
      g_strstrip (ref);
    }
  else if (o->pod && g_str_has_prefix (o->pod, "new:"))
    {
      /* The network flags move to the new pod's infra. */
      g_autoptr (Pod) p = g_new0 (Pod, 1);
      RunOpts net = { 0 };
      gboolean ok;
      p->name = g_strdup (o->pod + 4);
      p->exit_policy = g_strdup ("continue");
      net.network = g_steal_pointer (&o->network);
      net.publish = g_steal_pointer (&o->publish);
      net.ip = g_steal_pointer (&o->ip);
      net.ip6 = g_steal_pointer (&o->ip6);
      net.mac = g_steal_pointer (&o->mac);
      net.network_alias = g_steal_pointer (&o->network_alias);
      net.hostname = g_steal_pointer (&o->hostname);
      net.dns = g_steal_pointer (&o->dns);
      net.dns_search = g_steal_pointer (&o->dns_search);
      net.dns_option = g_steal_pointer (&o->dns_option);
      net.add_host = g_steal_pointer (&o->add_host);
      ok = cli_pod_new (g, &net, p, NULL, FALSE, error);
      run_opts_clear (&net);
      return ok ? g_steal_pointer (&p) : NULL;
    }
  else if (o->pod)
    ref = g_strdup (o->pod);
  else
    return NULL;
  id = pod_resolve (g->root, ref, error);
  return id ? pod_load (g->root, id, error) : NULL;
}

/* The OCI hooks for @c (container/hooks.h), decided once here and
 * recorded: --hooks-dir (global, repeatable), else containers.conf's
 * hooks_dir, else the default directories (root only, as podman). */
static gboolean
select_hooks (CliGlobal *g, const RunOpts *o, const ContainersConf *conf, ContainerConfig *c,
              GError **error)
{
  const char *const defaults[] = { HOOKS_DIR_DEFAULT, HOOKS_DIR_OVERRIDE, NULL };
  g_autoptr (GPtrArray) given = g_ptr_array_new_with_free_func (g_free);
  char **dirs, **flags;
  g_autoptr (HookSet) set = NULL;

  /* a global flag, before or after the verb (pflag's persistent flags) */
  for (char **d = g->hooks_dirs; d && *d; d++)
    g_ptr_array_add (given, g_strdup (*d));
  for (char **d = o->hooks_dir; d && *d; d++)
    g_ptr_array_add (given, g_canonicalize_filename (*d, NULL));
  g_ptr_array_add (given, NULL);
  flags = (char **) given->pdata;
  dirs = *flags            ? flags
         : conf->hooks_dir ? conf->hooks_dir
         : g->rootless     ? NULL
                           : (char **) defaults;
  if (!dirs || !*dirs)
    return TRUE;
  set = hooks_select (dirs, c->argv ? c->argv[0] : NULL, c->annotations,
                      (o->volume && *o->volume) || (o->mount && *o->mount), error);
  if (!set)
    return FALSE;
  c->hooks = hook_set_to_json (set);
  return TRUE;
}

/* Parses, resolves the image and records the container; a pod it made
 * (--pod new:) in *@made_pod. */
static ContainerConfig *
create_container_in (CliGlobal *g, int *argc, char ***argv, RunOpts *o, gboolean is_run,
                     int *status, char **made_pod)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ContainerConfig) c = g_new0 (ContainerConfig, 1);
  g_autoptr (Store) store = NULL;
  g_autoptr (StoreRunImage) img = NULL;
  g_autoptr (Pod) pod = NULL;
  HealthConfig hc = { 0 };
  const ContainersConf *conf = &g->conf;

  *status = EXIT_PODUNIT;
  run_opts_defaults (o, conf);
  if (!run_opts_parse (argc, argv, o, is_run, &error) || !cli_check_authfile (o->authfile, &error)
      || !cli_runtime_check (o->runtime, &error))
    {
      cli_error ("%s", error->message);
      return NULL;
    }
  /* run starts what it creates: the runtime's flags are checked first */
  if (is_run && !cli_runtime_flags_apply (g, conf->runtime_flags, &error))
    {
      *status = cli_launch_fail (error);
      return NULL;
    }
  if (o->kernel_memory)
    cli_warn ("The --kernel-memory flag is no longer supported. This flag is a noop.");
  {
    gboolean new_pod = o->pod && g_str_has_prefix (o->pod, "new:");
    if (!(pod = resolve_pod (g, o, &error)) && error)
      {
        cli_error ("%s", error->message);
        return NULL;
      }
    if (pod && new_pod)
      *made_pod = g_strdup (pod->id);
  }
  c->id = container_new_id ();
  /* Docker's names begin with '/': podman takes "/NAME" as NAME. */
  c->name = g_strdup (o->name && o->name[0] == '/' ? o->name + 1 : o->name);
  c->created = g_get_real_time () / G_USEC_PER_SEC;
  c->oci_runtime = g_strdup (o->runtime && !cli_runtime_is_namesake (o->runtime) ? o->runtime
                                                                             : g->runtime);
  if (o->rootfs)
    {
      /* PATH:O (podman's overlay on the root file system) is what podunit
       * always does: the directory is the overlay's lower layer */
      const char *path = (*argv)[1];
      g_autofree char *bare = g_str_has_suffix (path, ":O") ? g_strndup (path, strlen (path) - 2)
                                                             : NULL;
      c->image = g_canonicalize_filename (bare ? bare : path, NULL);
      if (!g_file_test (c->image, G_FILE_TEST_IS_DIR))
        {
          cli_error ("--rootfs %s: not a directory", c->image);
          return NULL;
        }
    }
  else
    {
      g_autofree char *loaded = NULL;
      store = store_open (g->root, g->runroot, &error);
      /* docker-archive:PATH, oci-archive:PATH: loaded, then run as stored */
      if (store && !(loaded = cli_load_archive_ref (store, (*argv)[1], &error)) && error)
        g_clear_pointer (&store, store_free);
      if (store)
        img = loaded ? cli_run_image (store, loaded, "never", NULL, NULL, NULL, &error)
                     : cli_run_image (store, (*argv)[1], o->pull, o->retry, o->retry_delay,
                                      o->authfile, &error);
      if (!img)
        {
          cli_error ("%s", error->message);
          return NULL;
        }
      c->image = g_strdup (loaded ? loaded : (*argv)[1]);
      c->image_id = g_strdup (img->id);
      c->layer_dirs = g_strdupv (img->layer_dirs);
    }
  {
    g_auto (GStrv) env = g_get_environ ();
    g_auto (GStrv) default_mounts = read_mounts_conf (g, o->default_mounts_file);
    g_autofree char **command = g_new0 (char *, *argc);
    for (int i = 2; i < *argc; i++)
      command[i - 2] = (*argv)[i];
    const RunInputs in = {
      .root = g->root,
      .img = img,
      .command = command,
      .env = env,
      .journal_socket = LOG_JOURNAL_SOCKET,
      .conf = conf,
      .pod_id = pod ? pod->id : NULL,
      .pod_infra_id = pod ? pod->infra_id : NULL,
      .pod_hostname = pod ? pod->hostname : NULL,
      .pod_share = pod ? pod->share : NULL,
      .warn = warn_plain,
      .default_mounts = default_mounts,
    };
    if (!run_config_build (o, &in, c, &error) || !run_config_health (o, &hc, &error)
        || !select_hooks (g, o, conf, c, &error) || !resolve_secrets (g, c, &error))
      {
        cli_error ("%s", error->message);
        return NULL;
      }
    /* systemd's socket activation (LISTEN_FDS for this process): podman
     * passes the sockets on and tells the container they are its own. */
    const char *lfds = g_environ_getenv (env, "LISTEN_FDS");
    const char *lpid = g_environ_getenv (env, "LISTEN_PID");
    if (is_run && lfds && atoi (lfds) > 0 && (!lpid || atoi (lpid) == (int) getpid ()))
      {
        g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
        const char *names = g_environ_getenv (env, "LISTEN_FDNAMES");
        g_autofree char *nfds = g_strdup_printf ("LISTEN_FDS=%d", atoi (lfds));
        g_autofree char *fdnames = names ? g_strconcat ("LISTEN_FDNAMES=", names, NULL) : NULL;
        for (char **e = c->env; e && *e; e++)
          g_strv_builder_add (b, *e);
        g_strv_builder_add (b, nfds);
        g_strv_builder_add (b, "LISTEN_PID=1");
        if (fdnames)
          g_strv_builder_add (b, fdnames);
        g_strfreev (c->env);
        c->env = g_strv_builder_end (b);
        o->preserve_fds = MAX (o->preserve_fds, atoi (lfds));
      }
  }
  cli_sweep (g);
  /* rmi looks for containers using an image under the store lock: held
   * from here to the record, the image found above is either still there
   * (and in use from then on) or was removed meanwhile, never removed
   * under a new container. */
  if (store && !store_lock (store, &error))
    {
      health_config_clear (&hc);
      cli_error ("%s", error->message);
      return NULL;
    }
  {
    g_autoptr (StoreRunImage) still = store ? store_lookup_run_image (store, c->image_id, NULL)
                                            : NULL;
    gboolean ok = !store || still
                  || (g_set_error (&error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                                   "%s: image not known", c->image),
                      FALSE);
    ok = ok && container_create_record (c, g->root, g->runroot, o->replace, remove_for_replace,
                                        &g->launch, &error);
    if (store)
      store_unlock (store);
    if (!ok)
      {
        health_config_clear (&hc);
        cli_error ("%s", error->message);
        return NULL;
      }
  }
  if (!copy_secrets (g, c, &error))
    {
      health_config_clear (&hc);
      cli_error ("%s", error->message);
      launch_remove (&g->launch, c->id, TRUE, NULL);
      return NULL;
    }
  if (hc.test)
    {
      /* Read by the supervisor's timer and `healthcheck run` (health.h). */
      g_autofree char *cdir = container_dir (g->root, c->id);
      g_autofree char *hpath = g_build_filename (cdir, HEALTH_CONFIG_FILE, NULL);
      gboolean saved = health_config_save (&hc, hpath, &error);
      health_config_clear (&hc);
      if (!saved)
        {
          cli_error ("%s", error->message);
          launch_remove (&g->launch, c->id, TRUE, NULL);
          return NULL;
        }
    }
  if (o->cidfile && !write_cidfile (o->cidfile, c->id, &error))
    {
      cli_error ("%s", error->message);
      launch_remove (&g->launch, c->id, TRUE, NULL);
      return NULL;
    }
  *status = 0;
  return g_steal_pointer (&c);
}

/* As podman: a pod --pod new: made goes again when the container
 * cannot be created. */
static ContainerConfig *
create_container (CliGlobal *g, int *argc, char ***argv, RunOpts *o, gboolean is_run,
                  int *status)
{
  g_autofree char *made_pod = NULL;
  ContainerConfig *c = create_container_in (g, argc, argv, o, is_run, status, &made_pod);
  if (!c && made_pod)
    {
      g_autoptr (Pod) p = pod_load (g->root, made_pod, NULL);
      if (p)
        pod_remove (&g->launch, p, TRUE, NULL);
    }
  return c;
}

/* podman prints no id for a passthrough container (its output is the
 * caller's stdout) */
static gboolean
is_passthrough (const ContainerConfig *c)
{
  return container_log_driver (c) == LOG_DRIVER_PASSTHROUGH;
}

int
cli_create (CliGlobal *g, int argc, char **argv)
{
  RunOpts o = { 0 };
  int status;
  g_autoptr (ContainerConfig) c = create_container (g, &argc, &argv, &o, FALSE, &status);
  run_opts_clear (&o);
  if (!c)
    return status;
  if (!is_passthrough (c))
    printf ("%s\n", c->id);
  return 0;
}

int
cli_run (CliGlobal *g, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  RunOpts o = { 0 };
  int status;
  gboolean detach;
  LaunchAttach attach = LAUNCH_ATTACH_NONE;
  g_autoptr (ContainerConfig) c = create_container (g, &argc, &argv, &o, TRUE, &status);

  detach = o.detach;
  /* -a: which of the container's output streams reach the caller's; the
   * others only go to the log. */
  for (char **a = o.attach; a && *a; a++)
    attach |= g_ascii_strcasecmp (*a, "stdout") == 0   ? LAUNCH_ATTACH_STDOUT
              : g_ascii_strcasecmp (*a, "stderr") == 0 ? LAUNCH_ATTACH_STDERR
                                                       : 0;
  if (!o.attach)
    attach = LAUNCH_ATTACH_OUTPUT;
  if (c && o.attach && is_passthrough (c))
    {
      cli_error ("cannot specify --attach with --log-driver=passthrough: invalid argument");
      run_opts_clear (&o);
      launch_remove (&g->launch, c->id, TRUE, NULL);
      return EXIT_PODUNIT;
    }
  g->launch.preserve_fds = o.preserve_fds;
  run_opts_clear (&o);
  if (!c)
    return status;
  if (!pod_prepare_member (&g->launch, c, &error))
    {
      if (c->auto_remove)
        launch_remove (&g->launch, c->id, TRUE, NULL);
      return cli_launch_fail (error);
    }
  if (!detach)
    {
      int code;
      if (attach == LAUNCH_ATTACH_NONE)
        {
          /* podman prints the id when no output is attached */
          printf ("%s\n", c->id);
          fflush (stdout);
        }
      code = launch_foreground (&g->launch, c, attach, &error);
      if (c->auto_remove_image)
        cli_rmi_after_run (g, c->image_id);
      return code < 0 ? cli_launch_fail (error) : code;
    }
  if (!launch_detached (&g->launch, c, &error))
    {
      if (c->auto_remove)
        launch_remove (&g->launch, c->id, TRUE, NULL);
      return cli_launch_fail (error);
    }
  if (!is_passthrough (c))
    printf ("%s\n", c->id);
  return 0;
}
