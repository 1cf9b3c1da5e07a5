/* SPDX-License-Identifier: Apache-2.0 */
/* .kube -> a notify service running "ENGINE kube play … YAML…" with a
 * service container, and "kube down" as ExecStopPost so everything the
 * YAML created is removed even when start fails. */
#include "quadlet.h"
#include "quadlet-runargs.h"

#include <string.h>

UnitFile *
quadlet_convert_kube (QuadletContext *ctx, UnitFile *kube, GError **error)
{
  const char *G = QUADLET_KUBE_GROUP;
  g_autoptr (UnitFile) service = quadlet_init_service (ctx, kube, G, NULL, error);
  g_autoptr (PodmanCmdline) play = NULL, down = NULL;
  g_autoptr (GPtrArray) yamls = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) raw_yamls = NULL, updates = NULL, config_maps = NULL, log_opts = NULL;
  g_autofree char *kill_mode = NULL, *type = NULL, *ecp = NULL, *log_driver = NULL;
  g_autofree char *context = NULL;
  gboolean force;

  if (service == NULL)
    return NULL;
  raw_yamls = unit_file_lookup_all (kube, G, "Yaml");
  for (char **y = raw_yamls; *y; y++)
    if ((*y)[0] != '\0')
      g_ptr_array_add (yamls, quadlet_get_absolute_path (kube, *y));
  if (yamls->len == 0)
    {
      g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, "no Yaml key specified");
      return NULL;
    }
  g_ptr_array_add (yamls, NULL);

  /* Only mixed or control-group let the service container and conmon
   * shut down cleanly. */
  kill_mode = unit_file_lookup (service, QUADLET_SERVICE_GROUP, "KillMode");
  if (kill_mode == NULL)
    unit_file_set (service, QUADLET_SERVICE_GROUP, "KillMode", "mixed");
  else if (strcmp (kill_mode, "mixed") != 0 && strcmp (kill_mode, "control-group") != 0)
    {
      quadlet_set_error_at (error, kube, QUADLET_SERVICE_GROUP, "KillMode", "invalid KillMode '%s'",
                            kill_mode);
      return NULL;
    }

  unit_file_add (service, QUADLET_SERVICE_GROUP, "Environment", "PODMAN_SYSTEMD_UNIT=%n");

  /* Type=oneshot is allowed for YAML that only creates resources. */
  type = unit_file_lookup (service, QUADLET_SERVICE_GROUP, "Type");
  if (type != NULL && strcmp (type, "notify") != 0 && strcmp (type, "oneshot") != 0)
    {
      quadlet_set_error_at (error, kube, QUADLET_SERVICE_GROUP, "Type",
                            "invalid service Type '%s'", type);
      return NULL;
    }
  if (g_strcmp0 (type, "oneshot") != 0)
    {
      unit_file_set (service, QUADLET_SERVICE_GROUP, "Type", "notify");
      unit_file_set (service, QUADLET_SERVICE_GROUP, "NotifyAccess", "all");
    }
  if (!unit_file_has_key (kube, QUADLET_SERVICE_GROUP, "SyslogIdentifier"))
    unit_file_set (service, QUADLET_SERVICE_GROUP, "SyslogIdentifier", "%N");

  play = quadlet_base_command (ctx, kube, G);
  podman_cmdline_add (play, "kube", "play", "--replace", "--service-container=true", NULL);
  ecp = unit_file_lookup (kube, G, "ExitCodePropagation");
  if (ecp != NULL && ecp[0] != '\0')
    podman_cmdline_addf (play, "--service-exit-code-propagation=%s", ecp);
  log_driver = unit_file_lookup (kube, G, "LogDriver");
  if (log_driver != NULL)
    podman_cmdline_add (play, "--log-driver", log_driver, NULL);
  log_opts = unit_file_lookup_all_strv (kube, G, "LogOpt");
  for (char **o = log_opts; *o; o++)
    podman_cmdline_add (play, "--log-opt", *o, NULL);
  if (!quadlet_add_user_mappings (kube, G, play, FALSE, error))
    return NULL;
  if (!quadlet_add_networks (ctx, kube, G, service, play, error))
    return NULL;

  /* AutoUpdate=POLICY or CONTAINER/POLICY -> the pod annotation. */
  updates = unit_file_lookup_all_strv (kube, G, "AutoUpdate");
  for (char **u = updates; *u; u++)
    {
      const char *slash = strchr (*u, '/');
      podman_cmdline_add (play, "--annotation", NULL);
      if (slash != NULL)
        podman_cmdline_addf (play, "io.containers.autoupdate/%.*s=%s", (int) (slash - *u), *u,
                             slash + 1);
      else
        podman_cmdline_addf (play, "io.containers.autoupdate=%s", *u);
    }

  config_maps = unit_file_lookup_all_strv (kube, G, "ConfigMap");
  for (char **m = config_maps; *m; m++)
    {
      g_autofree char *path = quadlet_get_absolute_path (kube, *m);
      podman_cmdline_add (play, "--configmap", path, NULL);
    }
  quadlet_add_publish_ports (kube, G, play);
  quadlet_add_podman_args (play, kube, G);
  podman_cmdline_add_strv (play, (const char *const *) yamls->pdata);
  podman_cmdline_add_to (play, service, "ExecStart");

  down = quadlet_base_command (ctx, kube, G);
  podman_cmdline_add (down, "kube", "down", NULL);
  if (unit_file_lookup_boolean (kube, G, "KubeDownForce", &force))
    podman_cmdline_add_bool (down, "--force", force);
  podman_cmdline_add_strv (down, (const char *const *) yamls->pdata);
  podman_cmdline_add_to (down, service, "ExecStopPost");

  context = quadlet_handle_set_working_directory (kube, service, G, error);
  if (context == NULL)
    return NULL;
  return g_steal_pointer (&service);
}
