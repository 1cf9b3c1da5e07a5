/* SPDX-License-Identifier: Apache-2.0 */
/* `podunit __complete ARGS...` (and __completeNoDesc): cobra's hidden
 * completion command, which podman's shell completion scripts call. It
 * answers what podunit knows without a store: the fields a verb's
 * --format Go template takes ("{{.ID}}"), as podman's AutocompleteFormat
 * suggests them. The last line is cobra's directive (":6" no space, no file
 * completion after a template; ":0" the shell's default otherwise). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char *const ps_fields[] = {
  "AutoRemove", "Command", "Created", "CreatedAt", "ExitCode", "Exited", "ExitedAt", "ID",
  "Image", "ImageID", "IsInfra", "Labels", "Mounts", "Names", "Networks", "Pid", "Pod",
  "PodName", "Ports", "Restarts", "RunningFor", "Size", "StartedAt", "State", "Status", NULL,
};
static const char *const images_fields[] = {
  "Containers", "Created", "CreatedAt", "CreatedSince", "Dangling", "Digest", "History", "ID",
  "Labels", "Names", "ReadOnly", "RepoDigests", "RepoTags", "Repository", "SharedSize", "Size",
  "Tag", "VirtualSize", NULL,
};
static const char *const container_inspect_fields[] = {
  "AppArmorProfile", "Args", "Config", "Created", "Driver", "ExecIDs", "GraphDriver",
  "HostConfig", "HostnamePath", "HostsPath", "ID", "Image", "ImageDigest", "ImageName",
  "IsInfra", "LogPath", "Mounts", "Name", "NetworkSettings", "Path", "Pod", "ResolvConfPath",
  "RestartCount", "State", NULL,
};
static const char *const image_inspect_fields[] = {
  "Annotations", "Architecture", "Author", "Comment", "Config", "Created", "Digest",
  "GraphDriver", "History", "ID", "Labels", "ManifestType", "NamesHistory", "Os", "Parent",
  "RepoDigests", "RepoTags", "RootFS", "Size", "User", "Version", "VirtualSize", NULL,
};
static const char *const volume_fields[] = {
  "Anonymous", "CreatedAt", "Driver", "Labels", "MountCount", "Mountpoint", "Name", "Options",
  "Scope", NULL,
};
static const char *const network_ls_fields[] = {
  "Created", "DNSEnabled", "Driver", "ID", "IPv6Enabled", "Internal", "Labels", "Name",
  "NetworkInterface", "Options", "Subnets", NULL,
};
static const char *const network_inspect_fields[] = {
  "Containers", "Created", "DNSEnabled", "Driver", "ID", "IPAMOptions", "IPv6Enabled",
  "Internal", "Labels", "Name", "NetworkInterface", "Options", "Subnets", NULL,
};
static const char *const pod_ps_fields[] = {
  "Cgroup", "ContainerIds", "ContainerNames", "ContainerStatuses", "Created", "ID", "InfraID",
  "Labels", "Name", "Namespace", "Networks", "NumberOfContainers", "Status", NULL,
};
static const char *const pod_inspect_fields[] = {
  "CgroupParent", "Containers", "CreateCommand", "CreateInfra", "Created", "ExitPolicy",
  "Hostname", "ID", "InfraConfig", "InfraContainerID", "Labels", "Name", "Namespace",
  "NumContainers", "SharedNamespaces", "State", NULL,
};
static const char *const secret_ls_fields[] = {
  "CreatedAt", "Driver", "ID", "Name", "UpdatedAt", NULL,
};
static const char *const secret_inspect_fields[] = {
  "CreatedAt", "ID", "SecretData", "Spec", "UpdatedAt", NULL,
};
static const char *const artifact_ls_fields[] = {
  "Created", "CreatedAt", "Digest", "Repository", "Size", "Tag", "VirtualSize", NULL,
};
static const char *const artifact_inspect_fields[] = { "Digest", "Manifest", "Name", NULL };
static const char *const search_fields[] = {
  "Automated", "Description", "Index", "Name", "Official", "Stars", "Tag", NULL,
};
static const char *const history_fields[] = {
  "Comment", "Created", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size", "Tags", NULL,
};
static const char *const stats_fields[] = {
  "AVGCPU", "BlockIO", "CPU", "CPUPerc", "ContainerID", "ID", "MemPerc", "MemUsage",
  "MemUsageBytes", "Name", "NetIO", "PIDS", "UpTime", NULL,
};
static const char *const pod_stats_fields[] = {
  "BlockIO", "CID", "CPU", "Mem", "MemUsage", "MemUsageBytes", "Name", "NetIO", "PIDS", "Pod",
  NULL,
};
static const char *const events_fields[] = {
  "Attributes", "ContainerExitCode", "ID", "Image", "Name", "Status", "Time", "TimeNano", "Type",
  NULL,
};
static const char *const info_fields[] = { "Host", "Plugins", "Registries", "Store", "Version",
                                           NULL };
static const char *const version_fields[] = { "Client", "Server", NULL };

static const struct
{
  CliVerbFunc func;
  const char *const *fields;
} formats[] = {
  { cli_ps, ps_fields },
  { cli_images, images_fields },
  { cli_inspect, container_inspect_fields },
  { cli_image_inspect, image_inspect_fields },
  { cli_volume_ls, volume_fields },
  { cli_volume_inspect, volume_fields },
  { cli_network_ls, network_ls_fields },
  { cli_network_inspect, network_inspect_fields },
  { cli_pod_ps, pod_ps_fields },
  { cli_pod_inspect, pod_inspect_fields },
  { cli_secret_ls, secret_ls_fields },
  { cli_secret_inspect, secret_inspect_fields },
  { cli_artifact_ls, artifact_ls_fields },
  { cli_artifact_inspect, artifact_inspect_fields },
  { cli_search, search_fields },
  { cli_history, history_fields },
  { cli_stats, stats_fields },
  { cli_events, events_fields },
  { cli_pod_stats, pod_stats_fields },
  { cli_info, info_fields },
  { cli_version, version_fields },
};

int
cli_complete (CliVerbFunc verb, int argc, char **argv)
{
  const char *partial = NULL;
  const char *const *fields = NULL;

  /* the word being completed is the last; a template follows --format */
  if (argc >= 2 && (strcmp (argv[argc - 2], "--format") == 0 || strcmp (argv[argc - 2], "-f") == 0))
    partial = argv[argc - 1];
  else if (argc >= 1 && g_str_has_prefix (argv[argc - 1], "--format="))
    partial = argv[argc - 1] + strlen ("--format=");
  for (gsize k = 0; verb && partial && k < G_N_ELEMENTS (formats); k++)
    if (formats[k].func == verb)
      fields = formats[k].fields;
  if (!fields)
    {
      puts (":0");
      return 0;
    }
  if (g_str_has_prefix ("json", partial))
    puts ("json");
  for (const char *const *f = fields; *f; f++)
    {
      g_autofree char *s = g_strdup_printf ("{{.%s}}", *f);
      if (g_str_has_prefix (s, partial))
        puts (s);
    }
  puts (":6");
  return 0;
}
