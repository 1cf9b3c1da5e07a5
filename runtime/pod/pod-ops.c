/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's lifecycle over its containers' (launch.h): create, start,
 * stop, kill, remove, and the exit policy. */
#include "config.h"

#include "pod/pod.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"
#include "image/store-fs.h"
#include "names.h"

/* ROOT/pods.lock: names are claimed and pods removed under it. */
static int
lock_pods (const char *root, GError **error)
{
  g_autofree char *dir = g_build_filename (root, "pods", NULL);
  g_autofree char *path = g_build_filename (root, "pods.lock", NULL);
  autofd int fd = -1;
  if (g_mkdir_with_parents (dir, 0700) < 0
      || (fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
    return errno_error (error, POD_ERROR, POD_ERROR_IO, errno, "locking %s", path), -1;
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return errno_error (error, POD_ERROR, POD_ERROR_IO, errno, "locking %s", path), -1;
  return fd_steal (&fd);
}

static gboolean
remove_for_replace (const char *id, gpointer data, GError **error)
{
  return launch_remove (data, id, TRUE, error);
}

static gboolean
remove_locked (const LaunchOptions *o, const Pod *p, gboolean force, GError **error);

gboolean
pod_create (const LaunchOptions *o, Pod *p, ContainerConfig *infra, gboolean replace,
            GError **error)
{
  autofd int lfd = -1;
  g_autofree char *old = NULL;

  if (p->name && !name_check ("pod", p->name, error))
    return FALSE;
  lfd = lock_pods (o->root, error);
  if (lfd < 0)
    return FALSE;
  if (p->name && (old = pod_resolve (o->root, p->name, NULL)))
    {
      g_autoptr (Pod) op = pod_load (o->root, old, error);
      if (!op)
        return FALSE;
      if (g_str_equal (op->name, p->name))
        {
          if (!replace)
            {
              g_set_error (error, POD_ERROR, POD_ERROR_EXISTS,
                           "adding pod to state: name \"%s\" is in use: pod already exists",
                           p->name);
              return FALSE;
            }
          if (!remove_locked (o, op, TRUE, error))
            return FALSE;
        }
    }
  if (!p->name)
    {
      g_autofree char *taken = NULL;
      guint attempt = 0;
      do
        {
          g_free (p->name);
          g_free (taken);
          p->name = container_generate_name (attempt++);
          taken = pod_resolve (o->root, p->name, NULL);
        }
      while (taken);
    }
  g_free (p->id);
  p->id = container_new_id ();
  if (!p->created)
    p->created = g_get_real_time () / G_USEC_PER_SEC;
  if (!p->exit_policy)
    p->exit_policy = g_strdup ("continue");
  if (!p->hostname)
    p->hostname = g_strdup (p->name);

  if (!infra)
    return pod_save (p, o->root, error);
  infra->pod = g_strdup (p->id);
  infra->infra = TRUE;
  infra->pod_share = g_strdupv (p->share);
  if (!infra->name)
    infra->name = g_strdup_printf ("%.12s-infra", p->id);
  /* The infra holds the pod's UTS namespace: its host name is the pod's. */
  g_free (infra->hostname);
  infra->hostname = g_strdup (p->hostname);
  /* Containers on the pod's networks reach it by the pod's name too (the
   * aliases are read only where the infra joins a bridge network). */
  {
    guint n = infra->network_aliases ? g_strv_length (infra->network_aliases) : 0;
    infra->network_aliases = g_renew (char *, infra->network_aliases, n + 2);
    infra->network_aliases[n] = g_strdup (p->name);
    infra->network_aliases[n + 1] = NULL;
  }
  if (!container_create_record (infra, o->root, o->runroot, replace, remove_for_replace,
                                (gpointer) o, error))
    return FALSE;
  p->infra_id = g_strdup (infra->id);
  if (!pod_save (p, o->root, error))
    {
      launch_remove (o, infra->id, TRUE, NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_running (const LaunchOptions *o, const char *id)
{
  ContainerState st;
  return container_state_load (o->runroot, id, &st, NULL)
         && container_status_alive (st.status);
}

static gboolean
start_one (const LaunchOptions *o, const char *id, GError **error)
{
  g_autoptr (ContainerConfig) c = NULL;
  if (is_running (o, id))
    return TRUE;
  c = container_config_load (o->root, id, error);
  return c && launch_detached (o, c, error);
}

gboolean
pod_start_infra (const LaunchOptions *o, const Pod *p, GError **error)
{
  if (!p->infra_id)
    {
      g_set_error (error, POD_ERROR, POD_ERROR_INVALID, "pod %s has no infra container", p->name);
      return FALSE;
    }
  if (!start_one (o, p->infra_id, error))
    {
      g_prefix_error (error, "starting the infra container of pod %s: ", p->name);
      return FALSE;
    }
  return TRUE;
}

gboolean
pod_prepare_member (const LaunchOptions *o, const ContainerConfig *c, GError **error)
{
  g_autoptr (Pod) p = NULL;
  if (!c->pod || c->infra)
    return TRUE;
  p = pod_load (o->root, c->pod, error);
  return p && (!p->infra_id || pod_start_infra (o, p, error));
}

gboolean
pod_start (const LaunchOptions *o, const Pod *p, GError **error)
{
  g_autoptr (GPtrArray) ids = pod_containers (o->root, p);
  if (p->infra_id && !pod_start_infra (o, p, error))
    return FALSE;
  for (guint i = p->infra_id ? 1 : 0; i < ids->len; i++)
    if (!start_one (o, ids->pdata[i], error))
      return FALSE;
  return TRUE;
}

gboolean
pod_stop (const LaunchOptions *o, const Pod *p, gint64 timeout, GError **error)
{
  g_autoptr (GPtrArray) ids = pod_containers (o->root, p);
  /* Members first: they may still use the network the infra holds. */
  for (guint i = ids->len; i > 0; i--)
    {
      g_autoptr (GError) local = NULL;
      if (launch_stop (o, ids->pdata[i - 1], timeout, &local))
        continue;
      /* Removed since it was listed (under systemd each member's own unit
       * stops and removes it while the pod's unit stops): it is stopped. */
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
          || g_error_matches (local, CONTAINER_ERROR, CONTAINER_ERROR_NOT_FOUND))
        continue;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

gboolean
pod_kill (const LaunchOptions *o, const Pod *p, int sig, GError **error)
{
  g_autoptr (GPtrArray) ids = pod_containers (o->root, p);
  for (guint i = ids->len; i > 0; i--)
    if (is_running (o, ids->pdata[i - 1]) && !launch_kill (o, ids->pdata[i - 1], sig, error))
      return FALSE;
  return TRUE;
}

gboolean
pod_pause (const LaunchOptions *o, const Pod *p, gboolean pause, GError **error)
{
  g_autoptr (GPtrArray) ids = pod_containers (o->root, p);
  for (guint i = ids->len; i > 0; i--)
    {
      ContainerState st;
      const char *id = ids->pdata[i - 1];
      if (!container_state_load (o->runroot, id, &st, NULL)
          || st.status != (pause ? CONTAINER_RUNNING : CONTAINER_PAUSED))
        continue;
      if (!(pause ? launch_pause : launch_unpause) (o, id, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
remove_locked (const LaunchOptions *o, const Pod *p, gboolean force, GError **error)
{
  g_autoptr (GPtrArray) ids = pod_containers (o->root, p);
  g_autofree char *dir = pod_dir (o->root, p->id);

  if (!force)
    {
      /* podman's words: a line for each running member; a running
       * infra alone does not keep the pod (it is stopped with it) */
      g_autoptr (GString) why = g_string_new (NULL);
      gboolean running = FALSE;
      for (guint i = 0; i < ids->len; i++)
        if (g_strcmp0 (ids->pdata[i], p->infra_id) != 0 && is_running (o, ids->pdata[i]))
          {
            running = TRUE;
            g_string_append_printf (why,
                                      "\nError: cannot remove container %s as it is running - "
                                      "running or paused containers cannot be removed without "
                                      "force: container state improper",
                                      (char *) ids->pdata[i]);
          }
      if (running)
        {
          g_set_error (error, POD_ERROR, POD_ERROR_STATE,
                       "not all containers could be removed from pod %s: removing pod "
                       "containers%s",
                       p->id, why->str);
          return FALSE;
        }
    }
  /* Members first, the infra (ids[0]) last. */
  for (guint i = ids->len; i > 0; i--)
    if (!launch_remove (o, ids->pdata[i - 1], TRUE, error))
      return FALSE;
  return fs_rm_rf (dir, error);
}

gboolean
pod_remove (const LaunchOptions *o, const Pod *p, gboolean force, GError **error)
{
  autofd int lfd = lock_pods (o->root, error);
  if (lfd < 0)
    return FALSE;
  return remove_locked (o, p, force, error);
}

gboolean
pod_member_exited (const LaunchOptions *o, const char *ctr_id, GError **error)
{
  g_autoptr (ContainerConfig) c = container_config_load (o->root, ctr_id, NULL);
  g_autoptr (Pod) p = NULL;
  g_autoptr (GPtrArray) ids = NULL;

  if (!c || !c->pod || c->infra)
    return TRUE;
  p = pod_load (o->root, c->pod, NULL);
  if (!p || g_strcmp0 (p->exit_policy, "stop") != 0 || !p->infra_id)
    return TRUE;
  ids = pod_containers (o->root, p);
  for (guint i = 1; i < ids->len; i++) /* (ids[0] is the infra) */
    if (is_running (o, ids->pdata[i]))
      return TRUE;
  return launch_stop (o, p->infra_id, -1, error);
}
