/* SPDX-License-Identifier: Apache-2.0 */
/* pause/unpause: every process of a running container frozen by its
 * cgroup (cgroup.h: cgroup v2's cgroup.freeze, else the v1 freezer), as
 * crun pauses for podman. The state shows it through a mark in the run
 * dir (container.h: CONTAINER_PAUSED_MARK), written under the
 * container's lock once the kernel says the cgroup is frozen. */
#include "config.h"

#include "container/launch.h"

#include <errno.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"
#include "sandbox/spawn.h"
#include "systemd/cgroup.h"

#define set_err(error, code, ...) gerror_set (error, SPAWN_ERROR, code, __VA_ARGS__)

gboolean
launch_freeze (const LaunchOptions *o, const char *id, gboolean freeze, GError **error)
{
  g_autofree char *rdir = container_run_dir (o->runroot, id);
  g_autofree char *cgfile = g_build_filename (rdir, "cgroup", NULL);
  g_autoptr (GError) local = NULL;
  g_autoptr (CgroupManager) cg = cgroup_manager_load (cgfile, &local);
  if (!cg)
    {
      if (!local)
        return set_err (error, 125, "container %s has no cgroup of its own to freeze", id);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!cgroup_freeze (cg, freeze, error))
    {
      (*error)->domain = SPAWN_ERROR;
      (*error)->code = 125;
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_paused (const LaunchOptions *o, const char *id, gboolean pause, GError **error)
{
  g_autofree char *rdir = container_run_dir (o->runroot, id);
  g_autofree char *mark = g_build_filename (rdir, CONTAINER_PAUSED_MARK, NULL);
  autofd int lfd = container_lock (o->runroot, id, error);
  ContainerState st;

  if (lfd < 0 || !container_state_load (o->runroot, id, &st, error))
    return FALSE;
  /* podman's words and status (125) for a state that does not allow it */
  if (pause && st.status == CONTAINER_PAUSED)
    return set_err (error, 125, "\"%s\" is already paused: container state improper", id);
  if (pause && st.status != CONTAINER_RUNNING)
    return set_err (error, 125, "\"%s\" is not running, can't pause: container state improper",
                    container_status_to_string (st.status));
  if (!pause && st.status != CONTAINER_PAUSED)
    return set_err (error, 125, "\"%s\" is not paused, can't unpause: container state improper",
                    id);
  if (!launch_freeze (o, id, pause, error))
    return FALSE;
  if (pause && !g_file_set_contents (mark, "", 0, error))
    {
      launch_freeze (o, id, FALSE, NULL);
      return FALSE;
    }
  if (!pause && unlink (mark) < 0 && errno != ENOENT)
    return errno_error (error, SPAWN_ERROR, 125, errno, "removing %s", mark);
  return TRUE;
}

gboolean
launch_pause (const LaunchOptions *o, const char *id, GError **error)
{
  return set_paused (o, id, TRUE, error);
}

gboolean
launch_unpause (const LaunchOptions *o, const char *id, GError **error)
{
  return set_paused (o, id, FALSE, error);
}
