/* SPDX-License-Identifier: Apache-2.0 */
/* User namespaces: ID mappings and the rootless namespace.
 *
 * Two layers, as in podman:
 *
 *   host ──(newuidmap)──► the rootless namespace ──► a container's own ns
 *   uid 1000              0 = 1000, 1..N = the     (--userns=keep-id,
 *   subuid 100000:65536   user's /etc/subuid       --uidmap ...; optional)
 *
 * An unprivileged podunit first joins the rootless namespace (kept by a
 * pause process, see userns_rootless_enter) and then works as root there:
 * the store is written, layers are unpacked with their owners and
 * containers are started exactly as for root. Inside it, "host" ids in a
 * --uidmap are the namespace's ids (0..N), as podman's are.
 *
 * A container's own user namespace comes from its --userns/--uidmap/
 * --gidmap/--subuidname/--subgidname (userns_resolve); root may use the
 * same flags for mapped root containers. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#define USERNS_ERROR (spawn_error_quark ())

/* One line of a uid_map/gid_map: @size ids from @container map to @host. */
typedef struct {
  guint32 container;
  guint32 host;
  guint32 size;
} IdMapping;

typedef enum {
  USERNS_DEFAULT,  /* "": none for root; the rootless namespace itself for a user */
  USERNS_HOST,     /* "host": the caller's */
  USERNS_PRIVATE,  /* "private" or explicit maps */
  USERNS_KEEP_ID,  /* "keep-id[:uid=U,gid=G]" (rootless) */
  USERNS_NOMAP,    /* "nomap" (rootless): the user's own id is not mapped */
  USERNS_AUTO,     /* "auto[:size=N,uidmapping=C:H:N,gidmapping=C:H:N]" */
  USERNS_NS,       /* "ns:PATH" */
} UsernsKind;

typedef struct {
  UsernsKind kind;
  gint64 uid, gid; /* keep-id:uid=,gid=; -1: the user's */
  guint32 size;    /* auto:size=; 0: default */
  GArray *uidmap;  /* IdMapping: --uidmap, auto:uidmapping= */
  GArray *gidmap;
  char *path;      /* ns:PATH */
} UsernsMode;

/* A uid or gid as /etc/passwd, /etc/subuid and the maps write it: decimal
 * digits, at most G_MAXUINT32. */
gboolean userns_parse_id (const char *s, guint32 *out);

void userns_mode_clear (UsernsMode *m);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (UsernsMode, userns_mode_clear)

/* Parses --userns's value (NULL or "" is USERNS_DEFAULT). */
gboolean userns_mode_parse (const char *value, UsernsMode *m, GError **error);

/* "CONTAINER:HOST:SIZE" (podman's --uidmap; a leading '@' on HOST, podman's
 * "host ids, not the rootless namespace's", is refused: podunit maps inside
 * the rootless namespace only). Appended to @out. */
gboolean userns_mapping_parse (const char *value, const char *flag, GArray *out, GError **error);

/* The ranges of @user (name) or @id (number) in a /etc/subuid-style file,
 * as IdMappings whose @container is 0 (the caller lays them out).
 * A missing file is no range; a range of size 1 or one that holds @own
 * (the caller's own id) is refused: the first would map nothing usable,
 * the second would give the container the user's own files twice. */
GArray *userns_subid_ranges (const char *path, const char *user, guint32 id, guint32 own,
                             GError **error);

/* Who asks: what the ids of a container's maps may be. */
typedef struct {
  gboolean rootless;  /* inside the rootless namespace */
  guint32 user_uid;   /* rootless: the user's host uid/gid (for keep-id) */
  guint32 user_gid;
  guint32 ns_uids;    /* rootless: ids the namespace has (1 + subordinate) */
  guint32 ns_gids;
  const char *subuid_file; /* /etc/subuid, /etc/subgid (tests: others) */
  const char *subgid_file;
  /* rootless: the namespace's own map (IdMapping); a container's map is
   * split where it crosses from one line to the next, which the kernel
   * requires. NULL: one line 0..ns_uids-1. */
  GArray *ns_uid_lines;
  GArray *ns_gid_lines;
  /* root: the host ids running containers have (IdMapping, host and
   * size), which --userns=auto leaves out; NULL: none. */
  GArray *used_uids;
  GArray *used_gids;
} UsernsHost;

void userns_host_clear (UsernsHost *host);

/* The container's maps for @mode plus --subuidname/--subgidname: NULL
 * maps (TRUE returned) when it runs in the caller's user namespace.
 * @uid and @gid are set to the user a keep-id container runs as when no
 * --user is given, else left alone. */
gboolean userns_resolve (const UsernsMode *mode, const char *subuidname, const char *subgidname,
                         const UsernsHost *host, GArray **uidmap, GArray **gidmap, gint64 *uid,
                         gint64 *gid, GError **error);

/* "C H N\n" lines for /proc/PID/uid_map. */
char *userns_map_text (const GArray *map);
/* The id @container_id maps to (G_MAXUINT32: unmapped). */
guint32 userns_map_id (const GArray *map, guint32 container_id);

/* Writes @pid's maps: directly when this process may (root in its
 * namespace, or a single mapping of its own ids after setgroups=deny),
 * else through newuidmap/newgidmap with a clear error when they are
 * missing or lack their privilege. */
gboolean userns_write_maps (pid_t pid, const GArray *uidmap, const GArray *gidmap,
                            GError **error);

/* An fd of a new user namespace with these maps and no process in it (a
 * short-lived child makes it): what idmapped mounts take (mount.h). Root
 * only (the maps are written directly). */
int userns_open_mapped (const GArray *uidmap, const GArray *gidmap, GError **error);

/* TRUE when this process is in the initial user namespace. */
gboolean userns_is_initial (void);

/* An unprivileged caller joins the rootless namespace (creating it and
 * its pause process, whose pid goes to @pause_file, when there is none
 * alive) and becomes root in it. When the pause process is gone but the
 * namespace is not (systemd killed it with the user unit that started it,
 * while other containers run), a new pause process joins the namespace of
 * one of @holders (a GArray of pid_t, asked for only then: the running
 * containers' supervisors), so that later commands still reach them. Must run before any thread exists.
 * *@warning gets a message to show when the user has no subordinate
 * range (only their own id is mapped). */
gboolean userns_rootless_enter (const char *pause_file, GArray *(*holders) (gpointer data),
                                gpointer data, char **warning, GError **error);

/* Inside the rootless namespace: the ids it has (from /proc/self/uid_map, gid_map). */
gboolean userns_rootless_host (UsernsHost *host, GError **error);
