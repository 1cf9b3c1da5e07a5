/* SPDX-License-Identifier: Apache-2.0 */
/* .pod -> .service: ExecStartPre creates the pod (with its infra
 * container), ExecStart starts it, and the service is Type=forking on the
 * infra supervisor's pid file. Containers that name the pod with Pod= were
 * converted first (pods come last) and are started by the pod service. */
#include "quadlet.h"
#include "quadlet-runargs.h"

#define GROUP QUADLET_POD_GROUP

static const QuadletKeyFlag string_keys[] = {
  { "IP", "--ip" },
  { "IP6", "--ip6" },
  { "ShmSize", "--shm-size" },
  { NULL, NULL },
};

static const QuadletKeyFlag all_string_keys[] = {
  { "NetworkAlias", "--network-alias" },
  { "DNS", "--dns" },
  { "DNSOption", "--dns-option" },
  { "DNSSearch", "--dns-search" },
  { "AddHost", "--add-host" },
  { "HostName", "--hostname" },
  { NULL, NULL },
};

static const QuadletKeyFlag key_val_keys[] = {
  { "Label", "--label" },
  { NULL, NULL },
};

/* pod stop/start/rm NAME with the engine and its global arguments. */
static void
add_pod_command (QuadletContext *ctx, UnitFile *unit, UnitFile *service, const char *key,
                 const char *const *args)
{
  g_autoptr (PodmanCmdline) c = quadlet_base_command (ctx, unit, GROUP);

  podman_cmdline_add_strv (c, args);
  podman_cmdline_add_to (c, service, key);
}

static gboolean
add_create_command (QuadletContext *ctx, UnitFile *unit, UnitFile *service, const char *name,
                    GError **error)
{
  g_autoptr (PodmanCmdline) c = quadlet_base_command (ctx, unit, GROUP);
  g_autofree char *exit_policy = unit_file_lookup (unit, GROUP, "ExitPolicy");

  /* systemd follows the infra container's supervisor through this file. */
  podman_cmdline_add (c, "pod", "create", "--infra-conmon-pidfile=%t/%N.pid", "--replace", NULL);
  podman_cmdline_add (c, "--exit-policy", exit_policy ? exit_policy : "stop", NULL);
  if (!quadlet_add_user_mappings (unit, GROUP, c, TRUE, error))
    return FALSE;
  quadlet_add_publish_ports (unit, GROUP, c);
  quadlet_add_key_vals (ctx, c, unit, GROUP, key_val_keys);
  if (!quadlet_add_networks (ctx, unit, GROUP, service, c, error))
    return FALSE;
  quadlet_add_strings (c, unit, GROUP, string_keys);
  quadlet_add_all_strings (c, unit, GROUP, all_string_keys);
  if (!quadlet_add_volumes (ctx, unit, GROUP, service, c, error))
    return FALSE;
  podman_cmdline_add (c, "--infra-name", NULL);
  podman_cmdline_addf (c, "%s-infra", name);
  podman_cmdline_add (c, "--name", name, NULL);
  quadlet_add_podman_args (c, unit, GROUP);
  podman_cmdline_add_to (c, service, "ExecStartPre");
  return TRUE;
}

UnitFile *
quadlet_convert_pod (QuadletContext *ctx, UnitFile *unit, GError **error)
{
  QuadletUnitInfo *info = NULL;
  g_autoptr (UnitFile) service = quadlet_init_service (ctx, unit, GROUP, &info, error);
  g_autofree char *stop_timeout = NULL;
  g_autofree char *time_arg = NULL;
  const char *name;

  if (service == NULL)
    return NULL;
  name = info->resource_name ? info->resource_name : "";

  for (guint i = 0; info->containers_to_start && i < info->containers_to_start->len; i++)
    {
      const char *container = g_ptr_array_index (info->containers_to_start, i);
      unit_file_add (service, QUADLET_UNIT_GROUP, "Wants", container);
      unit_file_add (service, QUADLET_UNIT_GROUP, "Before", container);
    }

  if (!unit_file_has_key (unit, QUADLET_SERVICE_GROUP, "SyslogIdentifier"))
    unit_file_set (service, QUADLET_SERVICE_GROUP, "SyslogIdentifier", "%N");

  stop_timeout = unit_file_lookup (unit, GROUP, "StopTimeout");
  time_arg = g_strdup_printf ("--time=%s",
                              stop_timeout && *stop_timeout ? stop_timeout : "10");
  add_pod_command (ctx, unit, service, "ExecStart",
                   (const char *const[]){ "pod", "start", name, NULL });
  add_pod_command (ctx, unit, service, "ExecStop",
                   (const char *const[]){ "pod", "stop", "--ignore", time_arg, name, NULL });
  add_pod_command (ctx, unit, service, "ExecStopPost",
                   (const char *const[]){ "pod", "rm", "--ignore", "--force", name, NULL });
  if (!add_create_command (ctx, unit, service, name, error))
    return NULL;

  /* Lets `podman auto-update` find the unit to restart. */
  unit_file_add (service, QUADLET_SERVICE_GROUP, "Environment", "PODMAN_SYSTEMD_UNIT=%n");
  unit_file_set (service, QUADLET_SERVICE_GROUP, "Type", "forking");
  if (!unit_file_has_key (service, QUADLET_SERVICE_GROUP, "Restart"))
    unit_file_set (service, QUADLET_SERVICE_GROUP, "Restart", "on-failure");
  unit_file_set (service, QUADLET_SERVICE_GROUP, "PIDFile", "%t/%N.pid");

  return g_steal_pointer (&service);
}
