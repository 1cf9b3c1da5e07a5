/* SPDX-License-Identifier: Apache-2.0 */
/* A container's persistent spec and its run state.
 *
 *   ROOT/containers/<id>/config        the spec (written once at create): a GVariant a{sv}
 *   ROOT/containers/<id>/upper, work   overlay upper and work dirs (diff/commit read upper)
 *   ROOT/containers/<id>/ctr.log       k8s-file log of a detached container
 *   RUNROOT/containers/<id>/state.json pid, status, exit code (tmpfs: gone at reboot)
 *   RUNROOT/containers/<id>/lock       flock held around every state change
 *   RUNROOT/containers/<id>/{hosts,hostname,resolv.conf} bind-mounted into the container
 *   RUNROOT/containers/<id>/merged     the overlay's mount point, used only inside the
 *                                      container's own mount namespace
 *
 * Records are replaced atomically (temp + rename, fsynced unless --rm: a
 * --rm container need not survive a crash); the run dir's hosts & co are
 * written in place when new. Names are unique: creating takes
 * ROOT/containers.lock while it checks and claims. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#define CONTAINER_ERROR (container_error_quark ())
GQuark container_error_quark (void);
typedef enum {
  CONTAINER_ERROR_NOT_FOUND,
  CONTAINER_ERROR_EXISTS,
  CONTAINER_ERROR_INVALID,
  CONTAINER_ERROR_STATE, /* e.g. removing a running container without -f */
  CONTAINER_ERROR_IO,
} ContainerError;

/* The spec, as given on the command line and completed from the image. */
typedef struct {
  char *id;
  char *name;
  char *image;    /* as the user wrote it */
  char *image_id; /* store id */
  gint64 created; /* unix seconds */
  char **argv;    /* entrypoint + command, resolved */
  char **entrypoint; /* the entrypoint part of argv (commit writes it apart from Cmd); NULL:
                      * none, or a record older than this field */
  char **env;     /* KEY=VALUE, resolved (image, --env-host, --env-file, -e) */
  char *workdir;
  gboolean workdir_must_exist; /* given with -w: not created at start (podman) */
  char *user;     /* "uid[:gid]" or "name[:group]", resolved in the rootfs at start */
  char **group_add;
  char *hostname;
  gboolean no_hostname; /* --no-hostname: no /etc/hostname is made or mounted */
  char **mounts;  /* normalized "type=..,source=..,destination=..,ro,.." (see mount.h) */
  /* --secret, normalized: "source=NAME,id=ID,type=mount,target=/ABS,uid=U,gid=G,mode=0444"
   * or "source=NAME,id=ID,type=env,target=VAR"; the data is the container's
   * own copy (container_secret_path), made at create. */
  char **secrets;
  gboolean read_only;
  gboolean read_only_tmpfs;
  char **cap_add;
  char **cap_drop;
  gboolean no_new_privs;
  char *seccomp_profile; /* NULL default, "unconfined", or a path */
  char **mask;     /* extra masked paths */
  char **unmask;   /* default masked paths to leave visible ("ALL") */
  char **labels;   /* KEY=VALUE */
  char **annotations;
  int stop_signal;
  gint64 stop_timeout;
  char **ulimits;  /* "nofile=1024:2048" */
  char **sysctls;  /* "net.ipv4.ip_forward=1" */
  gint64 shm_size; /* bytes */
  char *network;   /* "none", "host", "private", or network names "a,b" (net/network.h) */
  char **ports;    /* published, normalized (net/ports.h) */
  char *ip;        /* --ip */
  char *ip6;       /* --ip6 */
  char *mac;       /* --mac-address */
  char **network_aliases;
  gboolean init;
  gboolean auto_remove;
  gboolean auto_remove_image; /* --rmi: the image goes with the container */
  char *restart_policy;  /* NULL/"" none, "no", "always", "on-failure", "unless-stopped" */
  gint64 restart_retries; /* on-failure:N; 0 unlimited */
  char *tz;
  char **devices;  /* "/dev/fuse[:/dev/fuse[:rwm]]" */
  char **dns;
  char **dns_search;
  char **dns_option;
  char **add_host; /* "name:ip" */
  char *userns;    /* NULL/"" host, "private"... */
  char **uidmap;   /* "container:host:size" */
  char *subuidname; /* --subuidname/--subgidname */
  char *subgidname;
  char **gidmap;
  char *log_driver; /* as given (journal.h): "k8s-file", "json-file", "journald", "none",
                     * "passthrough", "passthrough-tty" */
  char *log_path;   /* --log-opt path=: the k8s-file; NULL: container_log_path's default */
  char *log_tag;    /* --log-opt tag= (journald), NULL: the default */
  gint64 log_size_max; /* --log-opt max-size=, containers.conf log_size_max; <= 0: none */
  gboolean oom_score_adj_set; /* --oom-score-adj or containers.conf; else inherited */
  int oom_score_adj;
  char *sdnotify;
  char *cgroups;
  gboolean interactive;
  gboolean tty;
  gint64 memory;     /* bytes, -1 not given */
  gint64 pids_limit; /* -1 podman's default (2048 where cgroups allow) */
  gint64 cpu_quota;  /* microseconds per 100 ms, -1 not given */
  char *pod;         /* the pod's id (pod/pod.h), NULL: none */
  gboolean infra;    /* the pod's infra container (its process is podunit-pause) */
  char *pod_infra;   /* a member: its pod's infra, whose namespaces it joins */
  char **pod_share;  /* a member: the infra's namespaces it joins ("cgroup", "ipc", "net",
                      * "pid", "uts"); the infra: those it holds for the pod. NULL with
                      * a pod: a record of before --share, net, uts and ipc */
  char *conmon_pidfile; /* --conmon-pidfile: the supervisor's pid is written there */
  gboolean privileged; /* all caps, the host's devices, rw /sys and cgroup, no masks */
  char **device_cgroup_rules; /* "TYPE MAJOR:MINOR ACCESS", recorded (podunit has no
                               * device cgroup: what one allows is allowed already) */
  gboolean cgroupns_host; /* --cgroupns=host: the caller's cgroup namespace */
  char *oci_runtime;      /* --runtime as given (podunit or its path); NULL: podunit */
  char *cidfile;       /* --cidfile: removed with the container */
  gint64 timeout;      /* --timeout seconds: killed then, exit code -1; 0: none */
  gboolean systemd;    /* systemd mode: tmpfs /run /run/lock /tmp /var/log/journal, rw cgroup */
  char *hooks;         /* the OCI hooks chosen at create (hooks.h: hook_set_to_json); NULL: none */
  /* Not recorded: the image's layer dirs (lowest first) when the caller
   * has looked the image up already (run), so starting it need not. */
  char **layer_dirs;
} ContainerConfig;

void container_config_free (ContainerConfig *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ContainerConfig, container_config_free)

typedef enum {
  CONTAINER_CREATED,
  CONTAINER_RUNNING,
  CONTAINER_STOPPING,
  CONTAINER_EXITED,
  CONTAINER_PAUSED, /* running, its cgroup frozen (launch_pause) */
} ContainerStatus;

/* Running, stopping or paused: its pid 1 lives. */
gboolean container_status_alive (ContainerStatus s);

/* RUNROOT/containers/<id>/stopping: a stop was asked for (launch_stop);
 * removed when the container starts again. */
#define CONTAINER_STOPPING_MARK "stopping"
/* RUNROOT/containers/<id>/paused: its cgroup is frozen (launch_pause); a
 * running state with this mark loads as CONTAINER_PAUSED, and is saved as
 * running (the supervisor records exits without knowing of pauses). */
#define CONTAINER_PAUSED_MARK "paused"

typedef struct {
  ContainerStatus status;
  pid_t pid;            /* container's pid 1, in our pid namespace */
  pid_t supervisor_pid; /* 0 for a foreground run */
  int exit_code;        /* valid when exited */
  gint64 started_at;    /* unix microseconds, 0 never */
  gint64 finished_at;
} ContainerState;

const char *container_status_to_string (ContainerStatus s);

/* A fresh 64-hex id. */
char *container_new_id (void);
/* podman-style generated name for when --name is not given. */
char *container_generate_name (guint attempt);

/* containers.conf's static_dir, podman's database directory: the
 * containers' records (each container's directory: its record, upper
 * layer and log) and their lock live in DIR/containers instead of
 * ROOT/containers for the rest of this process (their run dirs below);
 * NULL: ROOT. Every
 * podunit the supervisor runs for the container reads the same
 * containers.conf from the environment it inherits. */
void container_set_static_dir (const char *dir);
/* RUNROOT/containers; with a static_dir, RUNROOT/static-<12 hex of its
 * sha256>/containers: each set of records has its own run dirs, so that
 * no one takes another's for what a killed command left. */
char *container_runs_dir (const char *runroot);

char *container_dir (const char *root, const char *id);       /* ROOT/containers/<id> */
char *container_run_dir (const char *runroot, const char *id); /* RUNROOT/containers/<id> */
/* The k8s-file of @c: its --log-opt path=, else ROOT/containers/<id>/ctr.log. */
char *container_log_path (const char *root, const ContainerConfig *c);

gboolean container_config_save (const ContainerConfig *c, const char *root, GError **error);
/* The record itself (what save writes and load reads): a GVariant a{sv}
 * named by field; a string that is not UTF-8 is kept as bytes ("ay",
 * "aay"). from_variant skips missing fields and fields of another type. */
GVariant *container_config_to_variant (const ContainerConfig *c);
ContainerConfig *container_config_from_variant (GVariant *v);
ContainerConfig *container_config_load (const char *root, const char *id, GError **error);

/* Finds a container by full id, name or unique id prefix; returns its id. */
char *container_resolve (const char *root, const char *name_or_id, GError **error);
/* Whether @id still has a record (a removal takes it away first). */
gboolean container_record_exists (const char *root, const char *id);
/* All container ids, oldest first. */
GPtrArray *container_list (const char *root, GError **error);
/* The ids of the containers that join @id's namespaces (--network
 * container:ID, a pod member of infra @id): removed before it. */
GPtrArray *container_dependents (const char *root, const char *id);

/* Claims @c->name (generating one when NULL) and creates the container's
 * dirs and the record under ROOT/containers.lock. With @replace, an
 * existing container of that name is removed first (via @remove_cb). */
gboolean container_create_record (ContainerConfig *c, const char *root, const char *runroot,
                                   gboolean replace,
                                   gboolean (*remove_cb) (const char *id, gpointer data, GError **),
                                   gpointer data, GError **error);

/* Opens and flocks RUNROOT/containers/<id>/lock (creating the run dir).
 * Returns the fd (close it to unlock) or -1. */
int container_lock (const char *runroot, const char *id, GError **error);

/* Reads the state; a missing state file means "created" (or "exited" when
 * the container has run before a reboot). A "running" state whose pid is
 * gone is reported as exited (a crashed supervisor or host). */
gboolean container_state_load (const char *runroot, const char *id, ContainerState *st,
                               GError **error);
/* Whether @pid is a live process (a zombie is not: its exit is final). */
gboolean container_pid_running (pid_t pid);
gboolean container_state_save (const char *runroot, const char *id, const ContainerState *st,
                               GError **error);

/* How often the supervisor started it again (--restart, supervisor.h). */
int container_restart_count (const char *runroot, const char *id);

/* Removes the container's dirs (ROOT and RUNROOT). It must not be running. */
gboolean container_remove_files (const char *root, const char *runroot, const char *id,
                                 GError **error);

/* Recovery after a kill. The record (ROOT/containers/<id>/config) is the
 * commit point: create writes it last (under ROOT/containers.lock, which
 * it holds from the name check to the record) and remove deletes it first
 * (holding the container's lock, RUNROOT/containers/<id>/lock, until its
 * dirs are gone). So a dir in ROOT/containers or RUNROOT/containers with
 * no record is what a killed create or remove left, once nobody holds
 * containers.lock or its lock: never a container (`ps -a` lists records
 * only). container_sweep takes containers.lock and, for each such id whose
 * lock it can take, calls @release (what else it may hold: cgroups,
 * network leases) and removes both dirs. */
typedef gboolean (*ContainerReleaseFunc) (const char *id, gpointer data, GError **error);
gboolean container_sweep (const char *root, const char *runroot, ContainerReleaseFunc release,
                          gpointer data, GError **error);

/* The container's copy of the data of a ContainerConfig.secrets entry:
 * ROOT/containers/<id>/secrets/NAME for a mount, .../secrets-env/NAME for
 * an environment variable. */
char *container_secret_copy (const char *root, const char *id, const char *entry);
/* KEY's value in a normalized "k=v,k2=v2,flag" spec, or NULL. */
char *container_opt_get (const char *spec, const char *key);

/* Value of KEY in a KEY=VALUE vector, or NULL. */
const char *container_strv_get (char **kv, const char *key);

/* "SIGTERM", "TERM", "15", "RTMIN+3" -> the number; -1 when unknown. */
int container_parse_signal (const char *s);
