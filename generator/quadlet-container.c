/* SPDX-License-Identifier: Apache-2.0 */
/* .container -> .service: a `podman run` service that systemd supervises
 * through sd_notify (Type=notify, the engine's supervisor notifies), with
 * the container removed on stop. The argument order follows Quadlet's
 * ConvertContainer so generated command lines can be compared with it. */
#include "quadlet.h"
#include "quadlet-mount.h"
#include "quadlet-runargs.h"

#include <string.h>
#include <unistd.h>

#define GROUP QUADLET_CONTAINER_GROUP

static const QuadletKeyFlag string_keys[] = {
  { "Timezone", "--tz" },
  { "PidsLimit", "--pids-limit" },
  { "ShmSize", "--shm-size" },
  { "WorkingDir", "--workdir" },
  { "IP", "--ip" },
  { "IP6", "--ip6" },
  { "HostName", "--hostname" },
  { "StopSignal", "--stop-signal" },
  { "StopTimeout", "--stop-timeout" },
  { "Pull", "--pull" },
  { "Memory", "--memory" },
  { "Retry", "--retry" },
  { "RetryDelay", "--retry-delay" },
  { NULL, NULL },
};

static const QuadletKeyFlag all_string_keys[] = {
  { "NetworkAlias", "--network-alias" },
  { "Ulimit", "--ulimit" },
  { "DNS", "--dns" },
  { "DNSOption", "--dns-option" },
  { "DNSSearch", "--dns-search" },
  { "GroupAdd", "--group-add" },
  { "AddHost", "--add-host" },
  { "Tmpfs", "--tmpfs" },
  { NULL, NULL },
};

static const QuadletKeyFlag boolean_keys[] = {
  { "RunInit", "--init" },
  { "EnvironmentHost", "--env-host" },
  { "ReadOnlyTmpfs", "--read-only-tmpfs" },
  { "HttpProxy", "--http-proxy" },
  { NULL, NULL },
};

static const QuadletKeyFlag key_val_keys[] = {
  { "Environment", "--env" },
  { "Label", "--label" },
  { "Annotation", "--annotation" },
  { NULL, NULL },
};

/* HealthX= -> --health-x VALUE, in Quadlet's order. */
static const QuadletKeyFlag health_keys[] = {
  { "HealthCmd", "--health-cmd" },
  { "HealthInterval", "--health-interval" },
  { "HealthOnFailure", "--health-on-failure" },
  { "HealthLogDestination", "--health-log-destination" },
  { "HealthMaxLogCount", "--health-max-log-count" },
  { "HealthMaxLogSize", "--health-max-log-size" },
  { "HealthRetries", "--health-retries" },
  { "HealthStartPeriod", "--health-start-period" },
  { "HealthTimeout", "--health-timeout" },
  { "HealthStartupCmd", "--health-startup-cmd" },
  { "HealthStartupInterval", "--health-startup-interval" },
  { "HealthStartupRetries", "--health-startup-retries" },
  { "HealthStartupSuccess", "--health-startup-success" },
  { "HealthStartupTimeout", "--health-startup-timeout" },
  { NULL, NULL },
};

/* Exec-style value of the last @key; a value that does not split (a bad
 * escape) is reported as a warning and treated as absent, as Quadlet does. */
static char **
lookup_args_or_warn (QuadletContext *ctx, UnitFile *unit, const char *key)
{
  g_autoptr (GError) local = NULL;
  char **args = NULL;

  if (!unit_file_lookup_last_args (unit, GROUP, key, &args, &local))
    {
      const char *source = NULL;
      int line = unit_file_lookup_line (unit, GROUP, key, &source);
      g_autofree char *where = g_path_get_basename (source ? source
                                                            : unit_file_get_filename (unit));

      quadlet_warn (ctx, "Warning: %s:%d: ignoring %s=: %s", where, line, key, local->message);
      return NULL;
    }
  return args;
}

/* ExecStop and ExecStopPost remove the container; ExecStopPost also runs
 * when the supervisor was killed (ExecStop is skipped then), and its '-'
 * tolerates failure. */
static void
add_stop_commands (QuadletContext *ctx, UnitFile *unit, UnitFile *service, const char *name)
{
  g_autoptr (PodmanCmdline) stop = quadlet_base_command (ctx, unit, GROUP);
  g_autofree char *tolerant = g_strconcat ("-", ctx->engine, NULL);

  podman_cmdline_add (stop, "rm", "-v", "-f", "-i", name, NULL);
  podman_cmdline_add_to (stop, service, "ExecStop");
  podman_cmdline_set_engine (stop, tolerant);
  podman_cmdline_add_to (stop, service, "ExecStopPost");
}

static gboolean
add_reload_command (QuadletContext *ctx, UnitFile *unit, UnitFile *service, const char *name,
                    GError **error)
{
  g_autofree char *signal = unit_file_lookup (unit, GROUP, "ReloadSignal");
  g_auto (GStrv) cmd = lookup_args_or_warn (ctx, unit, "ReloadCmd");
  gboolean has_signal = signal != NULL && *signal != '\0';
  gboolean has_cmd = cmd != NULL && cmd[0] != NULL;
  g_autoptr (PodmanCmdline) reload = NULL;

  if (!has_signal && !has_cmd)
    return TRUE;
  if (has_signal && has_cmd)
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                        "ReloadCmd and ReloadSignal are mutually exclusive but both are set"),
           FALSE;

  reload = quadlet_base_command (ctx, unit, GROUP);
  if (has_cmd)
    {
      podman_cmdline_add (reload, "exec", name, NULL);
      podman_cmdline_add_strv (reload, (const char *const *) cmd);
    }
  else
    podman_cmdline_add (reload, "kill", "--signal", signal, name, NULL);
  podman_cmdline_add_to (reload, service, "ExecReload");
  return TRUE;
}

/* Type=notify unless the unit asks for oneshot; --sdnotify says who
 * notifies: the engine's supervisor (default), the container itself
 * (Notify=yes) or the healthcheck (Notify=healthy). */
static gboolean
add_notify (UnitFile *unit, UnitFile *service, PodmanCmdline *c, GError **error)
{
  g_autofree char *type = unit_file_lookup (service, QUADLET_SERVICE_GROUP, "Type");
  g_autofree char *notify = NULL;

  if (type != NULL && !g_str_equal (type, "notify") && !g_str_equal (type, "oneshot"))
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                        "invalid service Type '%s'", type),
           FALSE;
  if (type != NULL && g_str_equal (type, "oneshot"))
    return TRUE;

  notify = unit_file_lookup (unit, GROUP, "Notify");
  if (notify != NULL && g_ascii_strcasecmp (notify, "healthy") == 0)
    podman_cmdline_add (c, "--sdnotify=healthy", NULL);
  else if (unit_file_lookup_boolean_default (unit, GROUP, "Notify", FALSE))
    podman_cmdline_add (c, "--sdnotify=container", NULL);
  else
    podman_cmdline_add (c, "--sdnotify=conmon", NULL);
  unit_file_set (service, QUADLET_SERVICE_GROUP, "Type", "notify");
  unit_file_set (service, QUADLET_SERVICE_GROUP, "NotifyAccess", "all");
  /* The engine process need not stay: the supervisor carries on. */
  podman_cmdline_add (c, "-d", NULL);
  return TRUE;
}

/* --security-opt FORMAT for a non-empty @key. */
static void
add_security_opt (UnitFile *unit, const char *key, const char *prefix, PodmanCmdline *c)
{
  g_autofree char *v = unit_file_lookup (unit, GROUP, key);

  if (v != NULL && *v != '\0')
    {
      podman_cmdline_add (c, "--security-opt", NULL);
      podman_cmdline_addf (c, "%s%s", prefix, v);
    }
}

static void
add_security (UnitFile *unit, PodmanCmdline *c)
{
  if (unit_file_lookup_boolean_default (unit, GROUP, "NoNewPrivileges", FALSE))
    podman_cmdline_add (c, "--security-opt=no-new-privileges", NULL);
  if (unit_file_lookup_boolean_default (unit, GROUP, "SecurityLabelDisable", FALSE))
    podman_cmdline_add (c, "--security-opt", "label=disable", NULL);
  if (unit_file_lookup_boolean_default (unit, GROUP, "SecurityLabelNested", FALSE))
    podman_cmdline_add (c, "--security-opt", "label=nested", NULL);
  add_security_opt (unit, "SecurityLabelType", "label=type:", c);
  add_security_opt (unit, "SecurityLabelFileType", "label=filetype:", c);
  add_security_opt (unit, "SecurityLabelLevel", "label=level:", c);
  add_security_opt (unit, "AppArmor", "apparmor=", c);
}

/* AddDevice=: a leading '-' adds the device only when it exists. */
static void
add_devices (UnitFile *unit, PodmanCmdline *c)
{
  g_auto (GStrv) devices = NULL;

  /* (Most keys of this file are absent: each is checked before it is
   * split, which would allocate an empty vector.) */
  if (!unit_file_has_key (unit, GROUP, "AddDevice"))
    return;
  devices = unit_file_lookup_all_strv (unit, GROUP, "AddDevice");
  for (char **d = devices; *d; d++)
    {
      const char *device = *d;
      if (device[0] == '-')
        {
          g_autofree char *host = NULL;
          device++;
          host = g_strndup (device, strcspn (device, ":"));
          if (access (host, F_OK) != 0)
            continue;
        }
      podman_cmdline_add (c, "--device", device, NULL);
    }
}

static void
add_capabilities (UnitFile *unit, PodmanCmdline *c)
{
  static const char *const keys[][2] = { { "DropCapability", "--cap-drop" },
                                         { "AddCapability", "--cap-add" } };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_auto (GStrv) caps = NULL;
      if (!unit_file_has_key (unit, GROUP, keys[i][0]))
        continue;
      caps = unit_file_lookup_all_strv (unit, GROUP, keys[i][0]);
      for (char **cap = caps; *cap; cap++)
        {
          g_autofree char *lower = g_ascii_strdown (*cap, -1);
          podman_cmdline_add (c, keys[i][1], lower, NULL);
        }
    }
}

static gboolean
add_user (UnitFile *unit, PodmanCmdline *c, GError **error)
{
  g_autofree char *user = unit_file_lookup (unit, GROUP, "User");
  g_autofree char *group = unit_file_lookup (unit, GROUP, "Group");
  gboolean has_user = user != NULL && *user != '\0';
  gboolean has_group = group != NULL && *group != '\0';

  if (!has_user)
    {
      if (has_group)
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "invalid Group set without User"),
               FALSE;
      return TRUE;
    }
  podman_cmdline_add (c, "--user", NULL);
  if (has_group)
    podman_cmdline_addf (c, "%s:%s", user, group);
  else
    podman_cmdline_add (c, user, NULL);
  return TRUE;
}

static gboolean
add_exposed_ports (UnitFile *unit, PodmanCmdline *c, GError **error)
{
  g_auto (GStrv) ports = unit_file_lookup_all (unit, GROUP, "ExposeHostPort");

  for (char **p = ports; *p; p++)
    {
      g_strstrip (*p);
      if (!quadlet_is_port_range (*p))
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "invalid port format '%s'", *p),
               FALSE;
      podman_cmdline_add (c, "--expose", *p, NULL);
    }
  return TRUE;
}

/* FLAG WORD for every exec-style word of @key, WORD built from @prefix. */
static void
add_all_args (UnitFile *unit, const char *key, const char *flag, const char *prefix,
              PodmanCmdline *c)
{
  g_auto (GStrv) args = NULL;

  if (!unit_file_has_key (unit, GROUP, key))
    return;
  args = unit_file_lookup_all_args (unit, GROUP, key);
  for (char **a = args; *a; a++)
    {
      podman_cmdline_add (c, flag, NULL);
      podman_cmdline_addf (c, "%s%s", prefix, *a);
    }
}

static void
add_env_files (UnitFile *unit, PodmanCmdline *c)
{
  g_auto (GStrv) files = NULL;

  if (!unit_file_has_key (unit, GROUP, "EnvironmentFile"))
    return;
  files = unit_file_lookup_all_args (unit, GROUP, "EnvironmentFile");
  for (char **f = files; *f; f++)
    {
      g_autofree char *path = quadlet_get_absolute_path (unit, *f);
      podman_cmdline_add (c, "--env-file", path, NULL);
    }
}

static gboolean
add_mounts (QuadletContext *ctx, UnitFile *unit, UnitFile *service, PodmanCmdline *c,
            GError **error)
{
  g_auto (GStrv) mounts = NULL;

  if (!unit_file_has_key (unit, GROUP, "Mount"))
    return TRUE;
  mounts = unit_file_lookup_all_args (unit, GROUP, "Mount");
  for (char **m = mounts; *m; m++)
    {
      g_autofree char *resolved = quadlet_resolve_mount (ctx, unit, service, *m, error);
      if (resolved == NULL)
        return FALSE;
      podman_cmdline_add (c, "--mount", resolved, NULL);
    }
  return TRUE;
}

/* Pod=x.pod: join the pod and bind the service to the pod's; unless
 * StartWithPod=no the pod service starts this one (its Wants=/Before=). */
static gboolean
add_pod (QuadletContext *ctx, UnitFile *unit, UnitFile *service, PodmanCmdline *c,
         GError **error)
{
  g_autofree char *pod = unit_file_lookup (unit, GROUP, "Pod");
  g_autofree char *pod_service = NULL;
  g_autofree char *base = NULL, *instance = NULL;
  QuadletUnitInfo *info;

  if (pod == NULL || *pod == '\0')
    return TRUE;
  if (!g_str_has_suffix (pod, ".pod"))
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                        "pod %s is not Quadlet based", pod),
           FALSE;
  info = quadlet_units_info_lookup (ctx, pod);
  if (info == NULL)
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_NOT_FOUND,
                        "quadlet pod unit %s does not exist", pod),
           FALSE;

  podman_cmdline_add (c, "--pod", info->resource_name ? info->resource_name : "", NULL);
  pod_service = g_strconcat (info->service_name, ".service", NULL);
  unit_file_add (service, QUADLET_UNIT_GROUP, "BindsTo", pod_service);
  unit_file_add (service, QUADLET_UNIT_GROUP, "After", pod_service);

  /* A bare template (foo@.container) is no unit the pod could start. */
  if (unit_file_get_template_parts (unit, &base, &instance) && *instance == '\0')
    return TRUE;
  if (unit_file_lookup_boolean_default (unit, GROUP, "StartWithPod", TRUE) &&
      info->containers_to_start != NULL)
    g_ptr_array_add (info->containers_to_start, g_strdup (unit_file_get_filename (service)));
  return TRUE;
}

/* Everything between `run` and the image, in Quadlet's order. */
static gboolean
add_run_options (QuadletContext *ctx, UnitFile *unit, UnitFile *service, PodmanCmdline *c,
                 GError **error)
{
  g_autofree char *cgroups = unit_file_lookup (unit, GROUP, "CgroupsMode");
  g_autofree char *log_driver = unit_file_lookup (unit, GROUP, "LogDriver");
  g_autofree char *entrypoint = unit_file_lookup (unit, GROUP, "Entrypoint");
  g_autofree char *auto_update = unit_file_lookup (unit, GROUP, "AutoUpdate");
  g_autofree char *seccomp = unit_file_lookup (unit, GROUP, "SeccompProfile");
  gboolean read_only = FALSE;

  if (log_driver != NULL)
    podman_cmdline_add (c, "--log-driver", log_driver, NULL);
  quadlet_add_all_words (unit, GROUP, "LogOpt", "--log-opt", c);

  /* The runtime gets its own cgroup below the service's (Delegate=yes). */
  unit_file_add (service, QUADLET_SERVICE_GROUP, "Delegate", "yes");
  if (cgroups != NULL && *cgroups != '\0')
    podman_cmdline_add (c, "--cgroups", cgroups, NULL);
  else
    podman_cmdline_add (c, "--cgroups=split", NULL);

  quadlet_add_strings (c, unit, GROUP, string_keys);
  /* An empty Entrypoint= clears the image's entrypoint, so it is passed. */
  if (entrypoint != NULL)
    podman_cmdline_addf (c, "--entrypoint=%s", entrypoint);
  quadlet_add_all_strings (c, unit, GROUP, all_string_keys);
  quadlet_add_booleans (c, unit, GROUP, boolean_keys);

  if (!quadlet_add_networks (ctx, unit, GROUP, service, c, error))
    return FALSE;
  if (!add_notify (unit, service, c, error))
    return FALSE;
  if (!unit_file_has_key (unit, QUADLET_SERVICE_GROUP, "SyslogIdentifier"))
    unit_file_set (service, QUADLET_SERVICE_GROUP, "SyslogIdentifier", "%N");

  add_security (unit, c);
  add_devices (unit, c);
  /* Unlike the label keys, an empty SeccompProfile= is passed on. */
  if (seccomp != NULL)
    {
      podman_cmdline_add (c, "--security-opt", NULL);
      podman_cmdline_addf (c, "seccomp=%s", seccomp);
    }
  add_capabilities (unit, c);
  quadlet_add_all_words (unit, GROUP, "Sysctl", "--sysctl", c);

  if (unit_file_lookup_boolean (unit, GROUP, "ReadOnly", &read_only))
    podman_cmdline_add_bool (c, "--read-only", read_only);
  if (unit_file_lookup_boolean_default (unit, GROUP, "VolatileTmp", FALSE) && !read_only)
    podman_cmdline_add (c, "--tmpfs", "/tmp:rw,size=512M,mode=1777", NULL);

  if (!add_user (unit, c, error))
    return FALSE;
  if (!quadlet_add_user_mappings (unit, GROUP, c, TRUE, error))
    return FALSE;
  if (!quadlet_add_volumes (ctx, unit, GROUP, service, c, error))
    return FALSE;

  if (auto_update != NULL && *auto_update != '\0')
    {
      podman_cmdline_add (c, "--label", NULL);
      podman_cmdline_addf (c, "io.containers.autoupdate=%s", auto_update);
    }
  if (!add_exposed_ports (unit, c, error))
    return FALSE;
  quadlet_add_publish_ports (unit, GROUP, c);
  quadlet_add_key_vals (ctx, c, unit, GROUP, key_val_keys);

  add_all_args (unit, "Mask", "--security-opt", "mask=", c);
  add_all_args (unit, "Unmask", "--security-opt", "unmask=", c);
  add_env_files (unit, c);
  add_all_args (unit, "Secret", "--secret", "", c);
  if (!add_mounts (ctx, unit, service, c, error))
    return FALSE;
  quadlet_add_strings (c, unit, GROUP, health_keys);
  if (!add_pod (ctx, unit, service, c, error))
    return FALSE;
  quadlet_add_podman_args (c, unit, GROUP);
  return TRUE;
}

UnitFile *
quadlet_convert_container (QuadletContext *ctx, UnitFile *unit, GError **error)
{
  g_autoptr (UnitFile) service = NULL;
  g_autofree char *image = unit_file_lookup (unit, GROUP, "Image");
  g_autofree char *rootfs = unit_file_lookup (unit, GROUP, "Rootfs");
  g_autofree char *name = NULL;
  g_autofree char *kill_mode = NULL;
  g_autoptr (PodmanCmdline) run = NULL;
  g_auto (GStrv) exec_args = NULL;
  gboolean has_image = image != NULL && *image != '\0';
  gboolean has_rootfs = rootfs != NULL && *rootfs != '\0';

  service = quadlet_init_service (ctx, unit, GROUP, NULL, error);
  if (service == NULL)
    return NULL;

  if (!has_image && !has_rootfs)
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                        "no Image or Rootfs key specified"),
           NULL;
  if (has_image && has_rootfs)
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                        "the Image And Rootfs keys conflict can not be specified together"),
           NULL;
  if (has_image)
    {
      char *resolved = quadlet_handle_image_source (ctx, image, service, error);
      if (resolved == NULL)
        return NULL;
      g_free (image);
      image = resolved;
    }

  name = quadlet_get_container_name (unit);
  /* Lets `podman auto-update` find the unit to restart. */
  unit_file_add (service, QUADLET_SERVICE_GROUP, "Environment", "PODMAN_SYSTEMD_UNIT=%n");

  /* Only these two stop the supervisor and the container together. */
  kill_mode = unit_file_lookup (service, QUADLET_SERVICE_GROUP, "KillMode");
  if (kill_mode == NULL)
    unit_file_set (service, QUADLET_SERVICE_GROUP, "KillMode", "mixed");
  else if (!g_str_equal (kill_mode, "mixed") && !g_str_equal (kill_mode, "control-group"))
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, "invalid KillMode '%s'",
                        kill_mode),
           NULL;

  add_stop_commands (ctx, unit, service, name);
  if (!add_reload_command (ctx, unit, service, name, error))
    return NULL;

  run = quadlet_base_command (ctx, unit, GROUP);
  /* --replace: a stale container of the same name does not block the
   * start; --rm: a clean stop leaves nothing behind. */
  podman_cmdline_add (run, "run", "--name", name, "--replace", "--rm", NULL);
  if (!add_run_options (ctx, unit, service, run, error))
    return NULL;

  if (has_image)
    podman_cmdline_add (run, image, NULL);
  else
    podman_cmdline_add (run, "--rootfs", rootfs, NULL);
  exec_args = lookup_args_or_warn (ctx, unit, "Exec");
  podman_cmdline_add_strv (run, (const char *const *) exec_args);
  podman_cmdline_add_to (run, service, "ExecStart");

  return g_steal_pointer (&service);
}
