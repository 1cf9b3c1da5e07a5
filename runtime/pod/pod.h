/* SPDX-License-Identifier: Apache-2.0 */
/* Pods: a group of containers sharing the network, UTS and IPC
 * namespaces of an infra container, whose process (podunit-pause) holds
 * them. The infra is an ordinary container record (container.h) marked
 * infra and owning the pod's network settings and published ports; a
 * member's record names the pod, and its network is "container:INFRA-ID"
 * (launch.c joins the infra's namespaces).
 *
 *   ROOT/pods/<id>/pod.conf   the pod (GKeyFile, replaced atomically)
 *   ROOT/pods.lock            flock held while names are checked and claimed,
 *                             and while a pod is removed
 *
 * The engine prints nothing: every function returns a GError. */
#pragma once

#include <glib.h>

#include "container/container.h"
#include "container/launch.h"

#define POD_ERROR (pod_error_quark ())
GQuark pod_error_quark (void);
typedef enum {
  POD_ERROR_NOT_FOUND,
  POD_ERROR_EXISTS,
  POD_ERROR_INVALID,
  POD_ERROR_STATE, /* e.g. removing a pod with running containers without -f */
  POD_ERROR_IO,
} PodError;

typedef struct {
  char *id;
  char *name;
  gint64 created;    /* unix seconds */
  char *infra_id;    /* the infra container */
  char *exit_policy; /* "continue" or "stop" */
  char *hostname;
  char **labels;     /* KEY=VALUE */
  char **share;      /* the namespaces of the infra its members join: "cgroup", "ipc",
                      * "net", "pid", "uts" (none without an infra) */
} Pod;

/* podman's (and Kubernetes') default --share */
#define POD_SHARE_DEFAULT "ipc,net,uts"


void pod_free (Pod *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pod, pod_free)

/* podman's --exit-policy values. */
gboolean pod_exit_policy_valid (const char *policy);

/* podman's pod status from its containers' (infra included): "Created",
 * "Running", "Degraded" (some running), "Paused" (all paused), "Exited" (all exited), "Stopped"
 * (some exited, none running). */
const char *pod_status (const ContainerStatus *statuses, guint n);

char *pod_dir (const char *root, const char *id);

/* Writes @p's record (dirs created). */
gboolean pod_save (const Pod *p, const char *root, GError **error);
Pod *pod_load (const char *root, const char *id, GError **error);
/* Finds a pod by full id, name or unique id prefix; returns its id. */
char *pod_resolve (const char *root, const char *name_or_id, GError **error);
/* All pod ids, oldest first. */
GPtrArray *pod_list (const char *root, GError **error);
/* The ids of the containers in pod @id, the infra first, then oldest first. */
GPtrArray *pod_containers (const char *root, const Pod *p);

/* The infra's program: beside this podunit in a build tree, else the
 * installed one. */
char *pod_pause_path (void);

/* Creates pod @p (a fresh id, @p->name claimed: generated when NULL) with
 * @infra as its infra container (NULL: none, --infra=false), under
 * ROOT/pods.lock. With @replace a
 * pod of that name is removed first, its containers with it. */
gboolean pod_create (const LaunchOptions *o, Pod *p, ContainerConfig *infra, gboolean replace,
                     GError **error);

/* Starts the infra (when not running), then every member that is not. */
gboolean pod_start (const LaunchOptions *o, const Pod *p, GError **error);
/* Starts only the infra, when it is not running (run --pod). */
gboolean pod_start_infra (const LaunchOptions *o, const Pod *p, GError **error);
/* Before member @c starts: its pod's infra, started when not running. */
gboolean pod_prepare_member (const LaunchOptions *o, const ContainerConfig *c, GError **error);
/* Stops the members, then the infra (@timeout < 0: each one's own). */
gboolean pod_stop (const LaunchOptions *o, const Pod *p, gint64 timeout, GError **error);
/* Signals every running container of the pod. */
gboolean pod_kill (const LaunchOptions *o, const Pod *p, int sig, GError **error);
/* Pauses every running container of the pod, infra included (@pause),
 * or unpauses every paused one (launch_pause). */
gboolean pod_pause (const LaunchOptions *o, const Pod *p, gboolean pause, GError **error);
/* Removes the pod and its containers; running members only with @force
 * (a running infra is stopped with it, as podman). */
gboolean pod_remove (const LaunchOptions *o, const Pod *p, gboolean force, GError **error);

/* After member @ctr_id exited (`container cleanup`, run by its
 * supervisor): with --exit-policy=stop the pod stops once no member runs. */
gboolean pod_member_exited (const LaunchOptions *o, const char *ctr_id, GError **error);
