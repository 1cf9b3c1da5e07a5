/* SPDX-License-Identifier: Apache-2.0 */
/* .image -> a oneshot service running "ENGINE image pull IMAGE". Other
 * units name it as "Image=x.image" and get ImageTag= (or Image=). */
#include "quadlet.h"

UnitFile *
quadlet_convert_image (QuadletContext *ctx, UnitFile *image, GError **error)
{
  static const QuadletKeyFlag strings[] = {
    { "Arch", "--arch" },
    { "AuthFile", "--authfile" },
    { "CertDir", "--cert-dir" },
    { "Creds", "--creds" },
    { "DecryptionKey", "--decryption-key" },
    { "OS", "--os" },
    { "Variant", "--variant" },
    { "Policy", "--policy" },
    { "Retry", "--retry" },
    { "RetryDelay", "--retry-delay" },
    { NULL, NULL },
  };
  static const QuadletKeyFlag booleans[] = {
    { "AllTags", "--all-tags" },
    { "TLSVerify", "--tls-verify" },
    { NULL, NULL },
  };
  const char *G = QUADLET_IMAGE_GROUP;
  QuadletUnitInfo *info = NULL;
  g_autoptr (UnitFile) service = quadlet_init_service (ctx, image, G, &info, error);
  g_autoptr (PodmanCmdline) podman = NULL;
  g_autofree char *name = NULL, *tag = NULL;

  if (service == NULL)
    return NULL;

  name = unit_file_lookup (image, G, "Image");
  if (name == NULL || name[0] == '\0')
    {
      g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, "no Image key specified");
      return NULL;
    }

  podman = quadlet_base_command (ctx, image, G);
  podman_cmdline_add (podman, "image", "pull", NULL);
  quadlet_add_strings (podman, image, G, strings);
  quadlet_add_booleans (podman, image, G, booleans);
  /* Other units know the image by its ImageTag= when it has one. */
  tag = unit_file_lookup (image, G, "ImageTag");
  quadlet_finish_resource_service (service, podman, image, G, name, info,
                                   (tag != NULL && tag[0] != '\0') ? tag : name);
  return g_steal_pointer (&service);
}
