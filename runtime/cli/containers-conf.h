/* SPDX-License-Identifier: Apache-2.0 */
/* containers.conf(5): the defaults of `run` and `create` that podman reads
 * from, in order (a later file's key wins):
 *   $CONTAINERS_CONF alone, if set; else
 *   /usr/share/containers/containers.conf, /etc/containers/containers.conf,
 *   and as a user $XDG_CONFIG_HOME/containers/containers.conf, each followed
 *   by the *.conf files of its FILE.d directory in name order;
 *   then $CONTAINERS_CONF_OVERRIDE.
 * Read with the registries' TOML reader (image/registry/toml.h). Only the
 * [containers] keys below, [engine] hooks_dir and static_dir and [engine.runtimes_flags] podunit are applied; every other key is left alone. A
 * known key of the wrong type is an error naming the file; a file the TOML
 * subset cannot read is skipped with a warning naming FILE:LINE. */
#pragma once

#include <glib.h>

typedef struct {
  char **env;             /* env: KEY=VALUE, before the image's */
  char **default_ulimits; /* "nofile=1024:2048", before --ulimit's */
  gboolean read_only;     /* read_only */
  gboolean init;          /* init */
  char *log_driver;       /* log_driver */
  gint64 log_size_max;    /* log_size_max (bytes); -1 unlimited */
  char *log_path;         /* log_path: the k8s-file of every container */
  char *log_tag;          /* log_tag */
  gboolean has_oom_score_adj;
  int oom_score_adj;      /* oom_score_adj */
  char *tz;               /* tz */
  char *shm_size;         /* shm_size */
  gint64 pids_limit;      /* pids_limit; 0 not set */
  char **hooks_dir;       /* [engine] hooks_dir: OCI hook directories; NULL not set */
  char **runtime_flags;   /* [engine.runtimes_flags] podunit: podunit's runtime flags */
  char *static_dir;       /* [engine] static_dir: the containers' records (container.h) */
} ContainersConf;

void containers_conf_clear (ContainersConf *cf);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ContainersConf, containers_conf_clear)

/* Applies one file's text (@file names it in errors). */
gboolean containers_conf_apply (ContainersConf *cf, const char *text, gsize len, const char *file,
                                GError **error);

/* Reads the files above for the caller (@rootless adds the user's file).
 * @warn hears a file that was skipped. */
gboolean containers_conf_load (ContainersConf *cf, gboolean rootless,
                               void (*warn) (const char *message), GError **error);
