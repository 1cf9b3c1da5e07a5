/* SPDX-License-Identifier: Apache-2.0 */
/* Pod records and podman's pod status (pod.h). */
#include "config.h"

#include "pod/pod.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"
#include "names.h"

G_DEFINE_QUARK (pod-error-quark, pod_error)

#define POD_FILE "pod.conf"
#define GROUP "Pod"

void
pod_free (Pod *p)
{
  if (!p)
    return;
  g_free (p->id);
  g_free (p->name);
  g_free (p->infra_id);
  g_free (p->exit_policy);
  g_free (p->hostname);
  g_strfreev (p->labels);
  g_strfreev (p->share);
  g_free (p);
}

gboolean
pod_exit_policy_valid (const char *policy)
{
  return g_strcmp0 (policy, "continue") == 0 || g_strcmp0 (policy, "stop") == 0;
}

const char *
pod_status (const ContainerStatus *statuses, guint n)
{
  guint running = 0, exited = 0, paused = 0;
  for (guint i = 0; i < n; i++)
    {
      if (statuses[i] == CONTAINER_RUNNING || statuses[i] == CONTAINER_STOPPING)
        running++;
      else if (statuses[i] == CONTAINER_PAUSED)
        paused++;
      else if (statuses[i] == CONTAINER_EXITED)
        exited++;
    }
  if (n == 0)
    return "Created";
  if (running == n)
    return "Running";
  if (running > 0)
    return "Degraded";
  if (paused == n)
    return "Paused";
  if (exited == n)
    return "Exited";
  if (exited > 0)
    return "Stopped";
  return "Created";
}

char *
pod_dir (const char *root, const char *id)
{
  return g_build_filename (root, "pods", id, NULL);
}

static char *
pod_file (const char *root, const char *id)
{
  return g_build_filename (root, "pods", id, POD_FILE, NULL);
}

gboolean
pod_save (const Pod *p, const char *root, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *dir = pod_dir (root, p->id);
  g_autofree char *path = pod_file (root, p->id);
  g_autofree char *text = NULL;
  gsize len;

  g_key_file_set_string (kf, GROUP, "Id", p->id);
  g_key_file_set_string (kf, GROUP, "Name", p->name);
  g_key_file_set_int64 (kf, GROUP, "Created", p->created);
  g_key_file_set_string (kf, GROUP, "InfraId", p->infra_id ? p->infra_id : "");
  g_key_file_set_string (kf, GROUP, "ExitPolicy", p->exit_policy ? p->exit_policy : "continue");
  g_key_file_set_string (kf, GROUP, "Hostname", p->hostname ? p->hostname : "");
  if (p->labels)
    g_key_file_set_string_list (kf, GROUP, "Labels", (const char *const *) p->labels,
                                g_strv_length (p->labels));
  if (p->share)
    g_key_file_set_string_list (kf, GROUP, "Share", (const char *const *) p->share,
                                g_strv_length (p->share));
  text = g_key_file_to_data (kf, &len, NULL);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    return errno_error (error, POD_ERROR, POD_ERROR_IO, errno, "creating %s", dir);
  if (write_file_atomic (AT_FDCWD, path, text, len, 0644, WRITE_DURABLE) < 0)
    return errno_error (error, POD_ERROR, POD_ERROR_IO, errno, "writing %s", path);
  return TRUE;
}

Pod *
pod_load (const char *root, const char *id, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *path = pod_file (root, id);
  g_autoptr (Pod) p = g_new0 (Pod, 1);

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return NULL;
  p->id = g_key_file_get_string (kf, GROUP, "Id", NULL);
  p->name = g_key_file_get_string (kf, GROUP, "Name", NULL);
  p->created = g_key_file_get_int64 (kf, GROUP, "Created", NULL);
  p->infra_id = g_key_file_get_string (kf, GROUP, "InfraId", NULL);
  p->exit_policy = g_key_file_get_string (kf, GROUP, "ExitPolicy", NULL);
  p->hostname = g_key_file_get_string (kf, GROUP, "Hostname", NULL);
  p->labels = g_key_file_get_string_list (kf, GROUP, "Labels", NULL, NULL);
  p->share = g_key_file_get_string_list (kf, GROUP, "Share", NULL, NULL);
  if (!p->id || !p->name || !p->infra_id)
    {
      g_set_error (error, POD_ERROR, POD_ERROR_INVALID, "%s: not a pod record", path);
      return NULL;
    }
  if (!*p->infra_id)
    g_clear_pointer (&p->infra_id, g_free);
  if (!p->share) /* a record of before --share */
    p->share = g_strsplit (POD_SHARE_DEFAULT, ",", -1);
  return g_steal_pointer (&p);
}

GPtrArray *
pod_list (const char *root, GError **error)
{
  g_autofree char *dir = g_build_filename (root, "pods", NULL);
  return name_list_ids (dir, POD_FILE);
}

static char *
name_of (const char *id, gpointer root)
{
  g_autoptr (Pod) p = pod_load (root, id, NULL);
  return p ? g_strdup (p->name) : NULL;
}

char *
pod_resolve (const char *root, const char *name_or_id, GError **error)
{
  g_autoptr (GPtrArray) ids = pod_list (root, NULL);
  gboolean ambiguous;
  const char *match = name_resolve (ids, name_of, (gpointer) root, name_or_id, &ambiguous);

  if (match)
    return g_strdup (match);
  g_set_error (error, POD_ERROR, POD_ERROR_NOT_FOUND,
               ambiguous ? "more than one pod matches \"%s\""
                         : "no pod with name or ID %s found: no such pod",
               name_or_id);
  return NULL;
}

GPtrArray *
pod_containers (const char *root, const Pod *p)
{
  g_autoptr (GPtrArray) all = container_list (root, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  if (p->infra_id)
    g_ptr_array_add (out, g_strdup (p->infra_id));
  for (guint i = 0; all && i < all->len; i++)
    {
      g_autoptr (ContainerConfig) c = NULL;
      if (g_strcmp0 (all->pdata[i], p->infra_id) == 0)
        continue;
      c = container_config_load (root, all->pdata[i], NULL);
      if (c && g_strcmp0 (c->pod, p->id) == 0)
        g_ptr_array_add (out, g_strdup (c->id));
    }
  return out;
}

char *
pod_pause_path (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (self)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      char *p = g_build_filename (dir, "podunit-pause", NULL);
      if (access (p, X_OK) == 0)
        return p;
      g_free (p);
    }
  return g_build_filename (PODUNIT_LIBEXECDIR, "podunit", "podunit-pause", NULL);
}
