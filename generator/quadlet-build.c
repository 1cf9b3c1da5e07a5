/* SPDX-License-Identifier: Apache-2.0 */
/* .build -> a oneshot service running "ENGINE build --tag TAG … CONTEXT".
 * Other units use it as "Image=x.build", which resolves to its first
 * ImageTag=. The context is SetWorkingDirectory= (a path or URL) or the
 * directory of File=/the unit file. */
#include "quadlet.h"
#include "quadlet-runargs.h"

#include <string.h>

static gboolean
is_absolute_or_specifier (const char *path)
{
  /* %h/… is expanded by systemd to an absolute path. */
  return g_path_is_absolute (path) || (path[0] == '%' && path[1] != '%');
}

UnitFile *
quadlet_convert_build (QuadletContext *ctx, UnitFile *build, GError **error)
{
  static const QuadletKeyFlag strings[] = {
    { "Arch", "--arch" },
    { "AuthFile", "--authfile" },
    { "IgnoreFile", "--ignorefile" },
    { "Target", "--target" },
    { "Variant", "--variant" },
    { "Retry", "--retry" },
    { "RetryDelay", "--retry-delay" },
    { NULL, NULL },
  };
  static const QuadletKeyFlag booleans[] = {
    { "TLSVerify", "--tls-verify" },
    { "ForceRM", "--force-rm" },
    { NULL, NULL },
  };
  static const QuadletKeyFlag all_strings[] = {
    { "DNS", "--dns" },
    { "DNSOption", "--dns-option" },
    { "DNSSearch", "--dns-search" },
    { "GroupAdd", "--group-add" },
    { "ImageTag", "--tag" },
    { NULL, NULL },
  };
  static const QuadletKeyFlag key_vals[] = {
    { "Environment", "--env" },
    { "Label", "--label" },
    { "Annotation", "--annotation" },
    { NULL, NULL },
  };
  const char *G = QUADLET_BUILD_GROUP;
  QuadletUnitInfo *info = NULL;
  g_autoptr (UnitFile) service = quadlet_init_service (ctx, build, G, &info, error);
  g_autoptr (PodmanCmdline) podman = NULL;
  g_autofree char *pull = NULL, *context = NULL, *workdir = NULL, *file = NULL;
  g_auto (GStrv) build_args = NULL, secrets = NULL;

  if (service == NULL)
    return NULL;
  if (info->resource_name == NULL || info->resource_name[0] == '\0')
    {
      g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, "no ImageTag key specified");
      return NULL;
    }

  podman = quadlet_base_command (ctx, build, G);
  podman_cmdline_add (podman, "build", NULL);
  /* "--pull=never": podman build's --pull takes an optional value. */
  pull = unit_file_lookup (build, G, "Pull");
  if (pull != NULL && pull[0] != '\0')
    podman_cmdline_addf (podman, "--pull=%s", pull);
  quadlet_add_strings (podman, build, G, strings);
  quadlet_add_booleans (podman, build, G, booleans);
  quadlet_add_all_strings (podman, build, G, all_strings);
  build_args = unit_file_lookup_all_strv (build, G, "BuildArg");
  for (char **a = build_args; *a; a++)
    podman_cmdline_add (podman, "--build-arg", *a, NULL);
  quadlet_add_key_vals (ctx, podman, build, G, key_vals);
  if (!quadlet_add_networks (ctx, build, G, service, podman, error))
    return NULL;
  secrets = unit_file_lookup_all_args (build, G, "Secret");
  for (char **s = secrets; *s; s++)
    podman_cmdline_add (podman, "--secret", *s, NULL);
  if (!quadlet_add_volumes (ctx, build, G, service, podman, error))
    return NULL;

  context = quadlet_handle_set_working_directory (build, service, G, error);
  if (context == NULL)
    return NULL;
  workdir = unit_file_lookup (service, QUADLET_SERVICE_GROUP, "WorkingDirectory");
  file = unit_file_lookup (build, G, "File");
  if ((workdir == NULL || workdir[0] == '\0') && (file == NULL || file[0] == '\0') &&
      context[0] == '\0')
    {
      g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                   "neither SetWorkingDirectory, nor File key specified");
      return NULL;
    }
  if (file != NULL && file[0] != '\0')
    podman_cmdline_add (podman, "--file", file, NULL);
  quadlet_add_podman_args (podman, build, G);

  /* The context (or working directory) must come last. */
  if (context[0] != '\0')
    podman_cmdline_add (podman, context, NULL);
  else if (!is_absolute_or_specifier (file ? file : "") && !quadlet_is_url (file ? file : ""))
    {
      if (workdir == NULL || workdir[0] == '\0')
        {
          quadlet_set_error_at (error, build, G, "File",
                                "relative path in File key requires SetWorkingDirectory key to "
                                "be set");
          return NULL;
        }
      podman_cmdline_add (podman, workdir, NULL);
    }
  podman_cmdline_add_to (podman, service, "ExecStart");

  quadlet_default_oneshot_service (service, FALSE);
  return g_steal_pointer (&service);
}
