/* SPDX-License-Identifier: Apache-2.0 */
/* .artifact -> a oneshot service running "ENGINE artifact pull REF";
 * Mount=type=artifact,source=x.artifact in containers resolves to REF. */
#include "quadlet.h"

UnitFile *
quadlet_convert_artifact (QuadletContext *ctx, UnitFile *artifact, GError **error)
{
  static const QuadletKeyFlag strings[] = {
    { "AuthFile", "--authfile" },
    { "CertDir", "--cert-dir" },
    { "Creds", "--creds" },
    { "DecryptionKey", "--decryption-key" },
    { "Retry", "--retry" },
    { "RetryDelay", "--retry-delay" },
    { NULL, NULL },
  };
  static const QuadletKeyFlag booleans[] = {
    { "Quiet", "--quiet" },
    { "TLSVerify", "--tls-verify" },
    { NULL, NULL },
  };
  const char *G = QUADLET_ARTIFACT_GROUP;
  QuadletUnitInfo *info = NULL;
  g_autoptr (UnitFile) service = quadlet_init_service (ctx, artifact, G, &info, error);
  g_autoptr (PodmanCmdline) podman = NULL;
  g_autofree char *name = NULL;

  if (service == NULL)
    return NULL;
  name = unit_file_lookup (artifact, G, "Artifact");
  if (name == NULL || name[0] == '\0')
    {
      g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, "no Artifact key specified");
      return NULL;
    }

  podman = quadlet_base_command (ctx, artifact, G);
  podman_cmdline_add (podman, "artifact", "pull", NULL);
  quadlet_add_strings (podman, artifact, G, strings);
  quadlet_add_booleans (podman, artifact, G, booleans);
  quadlet_finish_resource_service (service, podman, artifact, G, name, info, name);
  return g_steal_pointer (&service);
}
