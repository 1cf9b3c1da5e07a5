/* SPDX-License-Identifier: Apache-2.0 */
/* The container's file system: overlay root, /proc /sys /dev, podman's
 * masked and read-only paths, /etc files, volumes and tmpfs mounts, then
 * pivot_root. Built in the parent (MountPlan), applied in the child after
 * it entered its new mount namespace (mount_setup_rootfs). The overlay is
 * mounted only inside that namespace, so nothing is left mounted on the
 * host when the container ends, however it ends.
 *
 * Mount specs are kept normalized in config.json as
 *   "type=bind,source=/abs,destination=/in/ctr,ro,relabel=Z,chown"
 *   "type=tmpfs,destination=/run,size=65536k,mode=1777"
 * volume.c turns -v/--mount/--tmpfs flags into that form. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#define MOUNT_ERROR (mount_error_quark ())
GQuark mount_error_quark (void);
typedef enum {
  MOUNT_ERROR_INVALID, /* a bad -v/--mount/--tmpfs value (message names it) */
  MOUNT_ERROR_FAILED,  /* a mount syscall failed (message has path and errno) */
  MOUNT_ERROR_NO_WORKDIR, /* cwd_must_exist and it does not (podman: 126) */
} MountError;

typedef enum { MOUNT_BIND, MOUNT_TMPFS } MountType;

typedef struct {
  MountType type;
  char *source;      /* bind: host path */
  char *destination; /* absolute path in the container */
  gboolean read_only;
  gboolean chown;    /* :U, chown the source to the container user */
  gboolean owner;    /* chown the source to owner_uid:owner_gid (a secret's copy; not
                      * from a mount spec: launch.c sets it) */
  uid_t owner_uid;
  gid_t owner_gid;
  gboolean recursive; /* rbind (default) */
  char *data;        /* tmpfs: "size=..,mode=.." */
  gulong flags;      /* MS_NOSUID, MS_NODEV, MS_NOEXEC */
} MountEntry;

void mount_entry_free (MountEntry *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MountEntry, mount_entry_free)
MountEntry *mount_entry_parse (const char *normalized, GError **error);

/* podman's defaults (containers.conf). */
extern const char *const mount_default_masked_paths[];
extern const char *const mount_default_readonly_paths[];

typedef struct {
  char *rootfs;    /* overlay mount point (ROOT/containers/<id>/merged) */
  char *lowerdirs; /* "top:...:bottom", as overlay wants */
  char *upperdir;
  char *workdir;
  char *cwd;         /* the process's working dir, created when missing (podman does) */
  gboolean cwd_must_exist; /* -w: not created (podman creates only the image's WORKDIR) */
  GPtrArray *mounts; /* MountEntry, in order */
  char **masked;     /* final list (defaults +mask -unmask) */
  char **readonly;
  char *etc_hosts, *etc_hostname, *etc_resolv; /* host files to bind; NULL to skip */
  char *localtime;                              /* --tz: zoneinfo file to bind; NULL */
  char *containerenv; /* bound on /run/.containerenv unless a bind mount is /run; NULL */
  char **devices;                               /* "host[:ctr[:perm]]" */
  char **sysctls;                               /* "key=value" */
  gint64 shm_size;
  gboolean read_only;
  gboolean read_only_tmpfs;
  gboolean new_netns; /* fresh sysfs; otherwise /sys is bound from the host */
  gboolean userns;    /* device nodes are bound (mknod is denied in a user ns) */
  gboolean volatile_upper; /* --rm: overlay skips syncing the upper dir at unmount */
  gboolean privileged; /* /sys and the cgroup file system writable */
  gboolean systemd;    /* systemd mode: tmpfs on /run /run/lock /tmp /var/log/journal,
                        * the cgroup file system writable */
  uid_t chown_uid;    /* for :U */
  gid_t chown_gid;
  /* Root's container whose root is another host id (--uidmap 0:100000:N):
   * a user namespace with the container's maps. The layers are then seen
   * through idmapped mounts of it (staged in idmap_dir), so that files of
   * the store's root are the container root's; the upper dir must belong
   * to the container's root. Used only when idmap_dir is set. */
  int idmap_userns;
  char *idmap_dir;
} MountPlan;

void mount_plan_free (MountPlan *p);
/* Sets p->masked and p->readonly: podman's defaults less @unmask ("ALL":
 * none of either), then @mask (--security-opt mask=/unmask=). */
void mount_plan_set_masks (MountPlan *p, char **mask, char **unmask);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MountPlan, mount_plan_free)

/* Child side, in the new mount namespace: builds everything under
 * p->rootfs (the host's tree still the root: createContainer hooks run
 * here), then mount_enter_rootfs pivots into it and applies sysctls,
 * masks and read-only paths. On its return "/" is the container's root. */
gboolean mount_setup_rootfs (const MountPlan *p, GError **error);
gboolean mount_enter_rootfs (const MountPlan *p, GError **error);

/* Every char and block device under the host's /dev (podman's
 * --privileged: not pts, shm, mqueue, the console or the nodes every
 * container gets; in systemd mode not the virtual consoles /dev/ttyN),
 * then @extra ("host[:ctr[:perm]]"), for MountPlan.devices. */
char **mount_host_devices (char **extra, gboolean systemd);

/* Opens (creating as a directory, or as an empty file when @file) @path
 * inside the tree at @rootfd, never following a link out of it. Returns an
 * O_PATH fd or -1. */
int mount_open_in_root (int rootfd, const char *path, gboolean file, GError **error);

/* volume.c: flag values to normalized mount specs. Named volumes live in
 * ROOT/volumes/<name>/_data and are created on first use. */
char *volume_normalize_v (const char *root, const char *spec, GError **error);
char *volume_normalize_mount (const char *root, const char *spec, GError **error);
char *volume_normalize_tmpfs (const char *spec, GError **error);
/* Creates ROOT/volumes/<name>/_data when missing; returns that path. */
char *volume_ensure (const char *root, const char *name, GError **error);
