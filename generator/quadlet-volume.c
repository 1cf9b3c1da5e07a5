/* SPDX-License-Identifier: Apache-2.0 */
/* .volume -> a oneshot service running "ENGINE volume create --ignore NAME".
 * The volume's name is VolumeName= or "systemd-" + the file's base name. */
#include "quadlet.h"

#include <string.h>

/* Mount options for the local driver, or the image for the image driver,
 * collected into one "--opt o=..." / "--opt image=..." argument. */
static gboolean
add_volume_options (QuadletContext *ctx, PodmanCmdline *podman, UnitFile *volume,
                    UnitFile *service, const char *driver, GError **error)
{
  static const struct {
    const char *key, *opt;
  } owners[] = { { "User", "uid" }, { "Group", "gid" } };
  const char *G = QUADLET_VOLUME_GROUP;
  g_autoptr (GString) opts = NULL;
  g_autofree char *dev = NULL, *dev_type = NULL, *mount_opts = NULL;
  gboolean copy, dev_valid = FALSE;

  if (g_strcmp0 (driver, "image") == 0)
    {
      g_autofree char *image = unit_file_lookup (volume, G, "Image");
      g_autofree char *resolved = NULL;
      if (image == NULL)
        {
          g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                       "the key Image is mandatory when using the image driver");
          return FALSE;
        }
      resolved = quadlet_handle_image_source (ctx, image, service, error);
      if (resolved == NULL)
        return FALSE;
      podman_cmdline_add (podman, "--opt", NULL);
      podman_cmdline_addf (podman, "image=%s", resolved);
      return TRUE;
    }

  opts = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (owners); i++)
    {
      guint32 id = 0;
      if (!unit_file_has_key (volume, G, owners[i].key))
        continue;
      /* A user or group name is resolved here, as Quadlet does. */
      if (!(i == 0 ? unit_file_lookup_uid : unit_file_lookup_gid) (volume, G, owners[i].key, 0,
                                                                   &id, error))
        return FALSE;
      g_string_append_printf (opts, "%s%s=%u", opts->len ? "," : "", owners[i].opt, id);
    }

  if (unit_file_lookup_boolean (volume, G, "Copy", &copy))
    podman_cmdline_add (podman, "--opt", copy ? "copy" : "nocopy", NULL);

  dev = unit_file_lookup (volume, G, "Device");
  if (dev != NULL && dev[0] != '\0')
    {
      podman_cmdline_add (podman, "--opt", NULL);
      podman_cmdline_addf (podman, "device=%s", dev);
      dev_valid = TRUE;
    }

  dev_type = unit_file_lookup (volume, G, "Type");
  if (dev_type != NULL && dev_type[0] != '\0')
    {
      if (!dev_valid)
        {
          quadlet_set_error_at (error, volume, G, "Type", "key Type can't be used without Device");
          return FALSE;
        }
      podman_cmdline_add (podman, "--opt", NULL);
      podman_cmdline_addf (podman, "type=%s", dev_type);
      /* A bind "device" is a host path: mount it before creating. */
      if (strcmp (dev_type, "bind") == 0)
        unit_file_add (service, QUADLET_UNIT_GROUP, "RequiresMountsFor", dev);
    }

  mount_opts = unit_file_lookup (volume, G, "Options");
  if (mount_opts != NULL && mount_opts[0] != '\0')
    g_string_append_printf (opts, "%s%s", opts->len ? "," : "", mount_opts);

  if (opts->len > 0)
    {
      podman_cmdline_add (podman, "--opt", NULL);
      podman_cmdline_addf (podman, "o=%s", opts->str);
    }
  return TRUE;
}

UnitFile *
quadlet_convert_volume (QuadletContext *ctx, UnitFile *volume, GError **error)
{
  static const QuadletKeyFlag strings[] = {
    { "UID", "--uid" },
    { "GID", "--gid" },
    { NULL, NULL },
  };
  static const QuadletKeyFlag key_vals[] = { { "Label", "--label" }, { NULL, NULL } };
  const char *G = QUADLET_VOLUME_GROUP;
  QuadletUnitInfo *info = NULL;
  g_autoptr (UnitFile) service = quadlet_init_service (ctx, volume, G, &info, error);
  g_autoptr (PodmanCmdline) podman = NULL;
  g_autofree char *name = NULL, *driver = NULL;

  if (service == NULL)
    return NULL;

  name = quadlet_named_resource (volume, G, "VolumeName");

  podman = quadlet_base_command (ctx, volume, G);
  podman_cmdline_add (podman, "volume", "create", "--ignore", NULL);

  driver = unit_file_lookup (volume, G, "Driver");
  if (driver != NULL)
    podman_cmdline_add (podman, "--driver", driver, NULL);
  if (!add_volume_options (ctx, podman, volume, service, driver, error))
    return NULL;

  quadlet_add_strings (podman, volume, G, strings);
  quadlet_add_key_vals (ctx, podman, volume, G, key_vals);
  quadlet_finish_resource_service (service, podman, volume, G, name, info, name);
  return g_steal_pointer (&service);
}
