/* SPDX-License-Identifier: Apache-2.0 */
/* User namespaces (see userns.h): --userns and the id maps, /etc/subuid,
 * writing maps (directly or through newuidmap/newgidmap), and the rootless
 * namespace with its pause process.
 *
 * Why a pause process (podman's design) rather than a namespace made per
 * command: containers started by one podunit must be reachable by the
 * next. `kill`/`stop` signal processes whose host uid is a subordinate id,
 * which only CAP_KILL in *their* user namespace allows, and `exec` must
 * setns into namespaces that namespace owns; a fresh sibling namespace per
 * command has neither right. Joining costs one open and one setns
 * (microseconds) against fork + two setuid helper execs (~2 ms) to make a
 * namespace. */
#include "error.h"
#include "sandbox/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fdio.h"
#include "sandbox/spawn.h"

/* podman's default size for --userns=auto when the image does not say. */
#define AUTO_DEFAULT_SIZE 65536

/* A refusal: one GError, FALSE (lib/error.h). */
#define fail(error, ...) gerror_set (error, SPAWN_ERROR, 125, __VA_ARGS__)

void
userns_mode_clear (UsernsMode *m)
{
  g_clear_pointer (&m->uidmap, g_array_unref);
  g_clear_pointer (&m->gidmap, g_array_unref);
  g_clear_pointer (&m->path, g_free);
}

gboolean
userns_parse_id (const char *s, guint32 *out)
{
  char *end;
  guint64 v;
  if (!s || !g_ascii_isdigit (*s))
    return FALSE;
  v = g_ascii_strtoull (s, &end, 10);
  if (*end || v > G_MAXUINT32)
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
userns_mapping_parse (const char *value, const char *flag, GArray *out, GError **error)
{
  g_auto (GStrv) f = g_strsplit (value, ":", -1);
  IdMapping m;
  if (g_strv_length (f) == 3 && f[1][0] == '@')
    return fail (error, "%s %s: host ids (\"@\") are not supported by podunit yet", flag, value);
  if (g_strv_length (f) != 3 || !userns_parse_id (f[0], &m.container) || !userns_parse_id (f[1], &m.host)
      || !userns_parse_id (f[2], &m.size))
    return fail (error, "%s %s: expected CONTAINER_ID:HOST_ID:SIZE", flag, value);
  if (m.size == 0 || (guint64) m.container + m.size > G_MAXUINT32
      || (guint64) m.host + m.size > G_MAXUINT32)
    return fail (error, "%s %s: the range is empty or past the last id", flag, value);
  g_array_append_val (out, m);
  return TRUE;
}

gboolean
userns_mode_parse (const char *value, UsernsMode *m, GError **error)
{
  static const struct { const char *name; UsernsKind kind; } kinds[] = {
    { "host", USERNS_HOST }, { "private", USERNS_PRIVATE }, { "keep-id", USERNS_KEEP_ID },
    { "nomap", USERNS_NOMAP }, { "auto", USERNS_AUTO },
  };
  g_autofree char *kind = NULL;
  const char *opts;

  memset (m, 0, sizeof *m);
  m->uid = m->gid = -1;
  if (!value || !*value)
    return TRUE;
  if (g_str_has_prefix (value, "ns:"))
    {
      if (!value[3])
        return fail (error, "--userns %s: expected ns:PATH", value);
      m->kind = USERNS_NS;
      m->path = g_strdup (value + 3);
      return TRUE;
    }
  opts = strchr (value, ':');
  kind = opts ? g_strndup (value, opts - value) : g_strdup (value);
  m->kind = (UsernsKind) -1;
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kind, kinds[i].name))
      m->kind = kinds[i].kind;
  if (m->kind == (UsernsKind) -1)
    return fail (error, "--userns %s: expected host, private, keep-id, nomap, auto or ns:PATH",
                 value);
  if (!opts)
    return TRUE;
  if (m->kind != USERNS_KEEP_ID && m->kind != USERNS_AUTO)
    return fail (error, "--userns %s: %s takes no options", value, kind);
  g_auto (GStrv) parts = g_strsplit (opts + 1, ",", -1);
  for (char **p = parts; *p; p++)
    {
      const char *eq = strchr (*p, '=');
      g_autofree char *key = eq ? g_strndup (*p, eq - *p) : g_strdup (*p);
      guint32 n;
      if (!eq)
        return fail (error, "--userns %s: option \"%s\" needs a value", value, *p);
      if (m->kind == USERNS_KEEP_ID && (g_str_equal (key, "uid") || g_str_equal (key, "gid")))
        {
          if (!userns_parse_id (eq + 1, &n))
            return fail (error, "--userns %s: %s must be a number", value, key);
          *(g_str_equal (key, "uid") ? &m->uid : &m->gid) = n;
        }
      else if (m->kind == USERNS_AUTO && g_str_equal (key, "size"))
        {
          if (!userns_parse_id (eq + 1, &m->size) || m->size == 0)
            return fail (error, "--userns %s: size must be a positive number", value);
        }
      else if (m->kind == USERNS_AUTO
               && (g_str_equal (key, "uidmapping") || g_str_equal (key, "gidmapping")))
        {
          GArray **a = g_str_equal (key, "uidmapping") ? &m->uidmap : &m->gidmap;
          if (!*a)
            *a = g_array_new (FALSE, FALSE, sizeof (IdMapping));
          if (!userns_mapping_parse (eq + 1, "--userns auto:", *a, error))
            return FALSE;
        }
      else
        return fail (error, "--userns %s: unknown option \"%s\" for %s", value, key, kind);
    }
  return TRUE;
}

GArray *
userns_subid_ranges (const char *path, const char *user, guint32 id, guint32 own, GError **error)
{
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  char idbuf[16];
  int lineno = 0;

  snprintf (idbuf, sizeof idbuf, "%u", id);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_steal_pointer (&out);
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) f = NULL;
      IdMapping m = { 0 };
      lineno++;
      if (!**l || **l == '#')
        continue;
      f = g_strsplit (*l, ":", -1);
      if (g_strv_length (f) != 3 || !((user && g_str_equal (f[0], user)) || g_str_equal (f[0], idbuf)))
        continue;
      if (!userns_parse_id (f[1], &m.host) || !userns_parse_id (f[2], &m.size))
        continue; /* as shadow's own tools: a malformed line is no range */
      if (m.size <= 1)
        {
          fail (error, "%s:%d: the range %s:%s of %s has %u id%s; a user namespace needs more "
                       "(give it 65536, as useradd does)",
                path, lineno, f[1], f[2], f[0], m.size, m.size == 1 ? "" : "s");
          return NULL;
        }
      if (own >= m.host && own - m.host < m.size)
        {
          fail (error, "%s:%d: the range %s:%s of %s holds the user's own id %u; give it a "
                       "range of other ids",
                path, lineno, f[1], f[2], f[0], own);
          return NULL;
        }
      g_array_append_val (out, m);
    }
  return g_steal_pointer (&out);
}

/* The host's ranges of @name laid out from container id 0. */
static GArray *
subid_map (const char *file, const char *name, GError **error)
{
  g_autoptr (GArray) r = NULL;
  guint32 next = 0, num = G_MAXUINT32;
  userns_parse_id (name, &num);
  r = userns_subid_ranges (file, userns_parse_id (name, &num) ? NULL : name, num, G_MAXUINT32, error);
  if (!r)
    return NULL;
  if (r->len == 0)
    {
      fail (error, "no range for \"%s\" in %s", name, file);
      return NULL;
    }
  for (guint i = 0; i < r->len; i++)
    {
      g_array_index (r, IdMapping, i).container = next;
      next += g_array_index (r, IdMapping, i).size;
    }
  return g_steal_pointer (&r);
}

static void
add_mapping (GArray *a, guint32 container, guint32 host, guint32 size)
{
  IdMapping m = { container, host, size };
  if (size > 0)
    g_array_append_val (a, m);
}

/* The part [@from, @from + @size) of @ranges (laid out from container id
 * 0, subid_map's) re-based at container id 0; NULL past their end. */
static GArray *
slice_ranges (const GArray *ranges, guint32 from, guint32 size)
{
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  guint64 end = (guint64) from + size;
  for (guint i = 0; i < ranges->len; i++)
    {
      const IdMapping *r = &g_array_index (ranges, IdMapping, i);
      guint64 lo = MAX ((guint64) r->container, from);
      guint64 hi = MIN ((guint64) r->container + r->size, end);
      if (lo < hi)
        add_mapping (out, lo - from, r->host + (lo - r->container), hi - lo);
    }
  {
    guint64 got = 0;
    for (guint i = 0; i < out->len; i++)
      got += g_array_index (out, IdMapping, i).size;
    if (got < size)
      return NULL;
  }
  return g_steal_pointer (&out);
}

static gboolean
overlaps_used (const GArray *map, const GArray *used)
{
  for (guint i = 0; map && i < map->len; i++)
    for (guint j = 0; used && j < used->len; j++)
      {
        const IdMapping *a = &g_array_index (map, IdMapping, i);
        const IdMapping *b = &g_array_index (used, IdMapping, j);
        if ((guint64) a->host < (guint64) b->host + b->size
            && (guint64) b->host < (guint64) a->host + a->size)
          return TRUE;
      }
  return FALSE;
}

static gint
cmp_u32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

/* --userns=auto for root (podman's allocation): the first @size ids of
 * @ranges whose host ids no running container has (@used: host ranges).
 * A free window starts at the start of a range or right after a used
 * range, so those are the only places to try. */
static GArray *
auto_window (const GArray *ranges, guint32 size, const GArray *used)
{
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; i < ranges->len; i++)
    {
      const IdMapping *r = &g_array_index (ranges, IdMapping, i);
      g_array_append_val (starts, r->container);
      for (guint j = 0; used && j < used->len; j++)
        {
          const IdMapping *b = &g_array_index (used, IdMapping, j);
          guint64 after = (guint64) b->host + b->size;
          if (after >= r->host && after < (guint64) r->host + r->size)
            {
              guint32 at = r->container + (guint32) (after - r->host);
              g_array_append_val (starts, at);
            }
        }
    }
  g_array_sort (starts, cmp_u32);
  for (guint i = 0; i < starts->len; i++)
    {
      GArray *w = slice_ranges (ranges, g_array_index (starts, guint32, i), size);
      if (w && !overlaps_used (w, used))
        return w;
      if (w)
        g_array_unref (w);
    }
  return NULL;
}

/* keep-id inside the rootless namespace (podman's layout): the container's
 * @id is the user (the namespace's 0), its 0..id-1 and id+1.. take the
 * subordinate ids 1..@n-1 in order. */
static GArray *
keep_id_map (guint32 id, guint32 n)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  guint32 sub = n - 1; /* subordinate ids: 1..sub */
  add_mapping (a, id, 0, 1);
  add_mapping (a, 0, 1, MIN (id, sub));
  if (sub > id)
    add_mapping (a, id + 1, id + 1, sub - id);
  return a;
}

/* Every id of @a must be one the caller has (the kernel would refuse the
 * map with a bare EPERM), and each line must fall within one line of the
 * caller's map: crossing ones are split. */
static gboolean
fit_within (GArray **a, const GArray *lines, guint32 avail, const char *what, GError **error)
{
  IdMapping whole = { 0, 0, avail };
  GArray *out;
  if (!*a)
    return TRUE;
  out = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  for (guint i = 0; i < (*a)->len; i++)
    {
      const IdMapping *m = &g_array_index (*a, IdMapping, i);
      guint64 covered = 0;
      if ((guint64) m->host + m->size > avail)
        {
          g_array_unref (out);
          return fail (error, "%s %u:%u:%u maps ids the rootless namespace does not have (it "
                              "has 0-%u: the user and /etc/sub%cid)",
                       what, m->container, m->host, m->size, avail - 1,
                       what[2] == 'g' ? 'g' : 'u');
        }
      for (guint j = 0; j < (lines ? lines->len : 1); j++)
        {
          const IdMapping *l = lines ? &g_array_index (lines, IdMapping, j) : &whole;
          guint64 lo = MAX ((guint64) m->host, l->container);
          guint64 hi = MIN ((guint64) m->host + m->size, (guint64) l->container + l->size);
          if (lo < hi)
            {
              add_mapping (out, m->container + (lo - m->host), lo, hi - lo);
              covered += hi - lo;
            }
        }
      if (covered != m->size)
        {
          g_array_unref (out);
          return fail (error, "%s %u:%u:%u maps ids the rootless namespace does not have",
                       what, m->container, m->host, m->size);
        }
    }
  g_array_unref (*a);
  *a = out;
  return TRUE;
}

gboolean
userns_resolve (const UsernsMode *mode, const char *subuidname, const char *subgidname,
                const UsernsHost *host, GArray **uidmap, GArray **gidmap, gint64 *uid,
                gint64 *gid, GError **error)
{
  g_autoptr (GArray) u = NULL;
  g_autoptr (GArray) g = NULL;

  *uidmap = *gidmap = NULL;
  if ((subuidname || subgidname) && mode->kind != USERNS_DEFAULT && mode->kind != USERNS_PRIVATE)
    return fail (error, "--subuidname/--subgidname cannot be combined with --userns");
  switch (mode->kind)
    {
    case USERNS_DEFAULT:
    case USERNS_PRIVATE:
      if (subuidname || subgidname)
        {
          if (host->rootless)
            return fail (error, "--subuidname/--subgidname need root (a user maps only "
                                "their own /etc/subuid range)");
          u = subid_map (host->subuid_file, subuidname ? subuidname : subgidname, error);
          g = u ? subid_map (host->subgid_file, subgidname ? subgidname : subuidname, error) : NULL;
          if (!g)
            return FALSE;
        }
      else if (mode->uidmap || mode->gidmap)
        {
          u = g_array_ref (mode->uidmap ? mode->uidmap : mode->gidmap);
          g = g_array_ref (mode->gidmap ? mode->gidmap : mode->uidmap);
        }
      else if (mode->kind == USERNS_PRIVATE)
        {
          /* A new namespace with the ids the caller has. */
          u = g_array_new (FALSE, FALSE, sizeof (IdMapping));
          g = g_array_new (FALSE, FALSE, sizeof (IdMapping));
          if (host->rootless)
            {
              add_mapping (u, 0, 0, host->ns_uids);
              add_mapping (g, 0, 0, host->ns_gids);
            }
          else
            {
              add_mapping (u, 0, 0, G_MAXUINT32);
              add_mapping (g, 0, 0, G_MAXUINT32);
            }
        }
      else
        return TRUE;
      break;
    case USERNS_HOST:
      if (mode->uidmap || mode->gidmap)
        return fail (error, "--userns=host cannot be combined with --uidmap/--gidmap");
      return TRUE;
    case USERNS_KEEP_ID:
    case USERNS_NOMAP:
      if (!host->rootless)
        return fail (error, "--userns=%s is only supported in rootless mode",
                     mode->kind == USERNS_KEEP_ID ? "keep-id" : "nomap");
      if (mode->kind == USERNS_NOMAP)
        {
          u = g_array_new (FALSE, FALSE, sizeof (IdMapping));
          g = g_array_new (FALSE, FALSE, sizeof (IdMapping));
          add_mapping (u, 0, 1, host->ns_uids - 1);
          add_mapping (g, 0, 1, host->ns_gids - 1);
          if (u->len == 0)
            return fail (error, "--userns=nomap needs a range in /etc/subuid and /etc/subgid");
          break;
        }
      {
        guint32 ku = mode->uid >= 0 ? (guint32) mode->uid : host->user_uid;
        guint32 kg = mode->gid >= 0 ? (guint32) mode->gid : host->user_gid;
        u = keep_id_map (ku, host->ns_uids);
        g = keep_id_map (kg, host->ns_gids);
        *uid = ku;
        *gid = kg;
      }
      break;
    case USERNS_AUTO:
      {
        guint32 size = mode->size ? mode->size : AUTO_DEFAULT_SIZE;
        if (mode->uidmap || mode->gidmap)
          {
            u = g_array_ref (mode->uidmap ? mode->uidmap : mode->gidmap);
            g = g_array_ref (mode->gidmap ? mode->gidmap : mode->uidmap);
          }
        else if (host->rootless)
          {
            /* The subordinate ids: the user's own stays out. */
            u = g_array_new (FALSE, FALSE, sizeof (IdMapping));
            g = g_array_new (FALSE, FALSE, sizeof (IdMapping));
            add_mapping (u, 0, 1, MIN (size, host->ns_uids - 1));
            add_mapping (g, 0, 1, MIN (size, host->ns_gids - 1));
            if (u->len == 0 || g->len == 0)
              return fail (error, "--userns=auto needs a range in /etc/subuid and /etc/subgid");
          }
        else
          {
            /* podman takes root's auto ranges from the "containers" user. */
            g_autoptr (GArray) su = subid_map (host->subuid_file, "containers", error);
            g_autoptr (GArray) sg = su ? subid_map (host->subgid_file, "containers", error) : NULL;
            if (!sg)
              {
                g_prefix_error (error, "--userns=auto: ");
                return FALSE;
              }
            u = auto_window (su, size, host->used_uids);
            g = u ? auto_window (sg, size, host->used_gids) : NULL;
            if (!u || !g)
              return fail (error, "--userns=auto: no %u ids of the \"containers\" ranges in "
                                  "/etc/subuid and /etc/subgid are free of running containers",
                           size);
          }
      }
      break;
    case USERNS_NS:
      return fail (error, "--userns=ns:%s is not supported by podunit yet", mode->path);
    }
  if (host->rootless
      && (!fit_within (&u, host->ns_uid_lines, host->ns_uids, "--uidmap", error)
          || !fit_within (&g, host->ns_gid_lines, host->ns_gids, "--gidmap", error)))
    return FALSE;
  *uidmap = g_steal_pointer (&u);
  *gidmap = g_steal_pointer (&g);
  return TRUE;
}

char *
userns_map_text (const GArray *map)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; map && i < map->len; i++)
    {
      const IdMapping *m = &g_array_index (map, IdMapping, i);
      g_string_append_printf (s, "%u %u %u\n", m->container, m->host, m->size);
    }
  return g_string_free (s, FALSE);
}

guint32
userns_map_id (const GArray *map, guint32 id)
{
  for (guint i = 0; map && i < map->len; i++)
    {
      const IdMapping *m = &g_array_index (map, IdMapping, i);
      if (id >= m->container && id - m->container < m->size)
        return m->host + (id - m->container);
    }
  return G_MAXUINT32;
}

/* --- writing maps ------------------------------------------------------ */

static gboolean
write_file (const char *path, const char *text, GError **error)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || fd_write_all (fd, text, strlen (text)) < 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return fail (error, "writing %s: %s", path, g_strerror (e));
    }
  close (fd);
  return TRUE;
}

/* newuidmap must be setuid root (Debian) or carry file capabilities
 * (RHEL's shadow-utils: cap_setuid=ep). */
static char *
find_id_helper (const char *name, GError **error)
{
  g_autofree char *path = g_find_program_in_path (name);
  struct stat st;
  if (!path || stat (path, &st) < 0)
    {
      fail (error, "%s not found in PATH: install the package uidmap (Debian) or shadow-utils "
                   "(RHEL) to run rootless containers",
            name);
      return NULL;
    }
  if (!((st.st_mode & S_ISUID) && st.st_uid == 0)
      && getxattr (path, "security.capability", NULL, 0) <= 0)
    {
      fail (error, "%s is neither setuid root nor has file capabilities, so it cannot write "
                   "id maps: reinstall it (chmod u+s %s, or setcap cap_setuid+ep %s)",
            path, path, path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static gboolean
run_id_helper (const char *name, pid_t pid, const GArray *map, GError **error)
{
  g_autofree char *path = find_id_helper (name, error);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err = NULL;
  int status;
  if (!path)
    return FALSE;
  g_ptr_array_add (argv, g_strdup (path));
  g_ptr_array_add (argv, g_strdup_printf ("%d", (int) pid));
  for (guint i = 0; i < map->len; i++)
    {
      const IdMapping *m = &g_array_index (map, IdMapping, i);
      g_ptr_array_add (argv, g_strdup_printf ("%u", m->container));
      g_ptr_array_add (argv, g_strdup_printf ("%u", m->host));
      g_ptr_array_add (argv, g_strdup_printf ("%u", m->size));
    }
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_exit_status (status, NULL))
    return fail (error, "%s failed: %s", path, g_strstrip (err));
  return TRUE;
}

/* A map of the caller's own id alone: writable without help. */
static gboolean
own_id_only (const GArray *map, guint32 own)
{
  return map->len == 1 && g_array_index (map, IdMapping, 0).size == 1
         && g_array_index (map, IdMapping, 0).host == own;
}

gboolean
userns_write_maps (pid_t pid, const GArray *uidmap, const GArray *gidmap, GError **error)
{
  char path[64];
  g_autofree char *ut = userns_map_text (uidmap);
  g_autofree char *gt = userns_map_text (gidmap);

  if (geteuid () == 0)
    {
      snprintf (path, sizeof path, "/proc/%d/uid_map", (int) pid);
      if (!write_file (path, ut, error))
        return FALSE;
      snprintf (path, sizeof path, "/proc/%d/gid_map", (int) pid);
      return write_file (path, gt, error);
    }
  if (own_id_only (uidmap, geteuid ()))
    {
      snprintf (path, sizeof path, "/proc/%d/uid_map", (int) pid);
      if (!write_file (path, ut, error))
        return FALSE;
    }
  else if (!run_id_helper ("newuidmap", pid, uidmap, error))
    return FALSE;
  if (own_id_only (gidmap, getegid ()))
    {
      snprintf (path, sizeof path, "/proc/%d/setgroups", (int) pid);
      if (!write_file (path, "deny", error))
        return FALSE;
      snprintf (path, sizeof path, "/proc/%d/gid_map", (int) pid);
      return write_file (path, gt, error);
    }
  return run_id_helper ("newgidmap", pid, gidmap, error);
}

gboolean
userns_is_initial (void)
{
  g_autofree char *text = NULL;
  unsigned a, b, n;
  if (!g_file_get_contents ("/proc/self/uid_map", &text, NULL, NULL))
    return TRUE;
  return sscanf (text, " %u %u %u", &a, &b, &n) == 3 && a == 0 && b == 0 && n == G_MAXUINT32
         && !strchr (g_strstrip (text), '\n');
}

int
userns_open_mapped (const GArray *uidmap, const GArray *gidmap, GError **error)
{
  int sync[2], fd = -1;
  char c, path[64];
  pid_t pid;

  if (pipe2 (sync, O_CLOEXEC) < 0)
    {
      fail (error, "pipe: %s", g_strerror (errno));
      return -1;
    }
  pid = fork ();
  if (pid == 0)
    {
      /* Make the namespace, say so, and wait to be killed once the
       * parent has it open. */
      close (sync[0]);
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (unshare (CLONE_NEWUSER) < 0 || write (sync[1], "u", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  close (sync[1]);
  if (pid < 0)
    fail (error, "fork: %s", g_strerror (errno));
  else if (read (sync[0], &c, 1) != 1)
    fail (error, "creating a user namespace for idmapped layers failed");
  else if (userns_write_maps (pid, uidmap, gidmap, error))
    {
      snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        fail (error, "opening %s: %s", path, g_strerror (errno));
    }
  close (sync[0]);
  if (pid > 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  return fd;
}

/* --- the rootless namespace -------------------------------------------- */

/* The maps of the rootless namespace: 0 is the user, 1..N their ranges
 * (none: the user alone, with a warning). */
static GArray *
rootless_map (const char *file, const char *user, guint32 own, gboolean *single,
              GError **error)
{
  g_autoptr (GArray) r = userns_subid_ranges (file, user, own, own, error);
  guint32 next = 1;
  GArray *a;
  if (!r)
    return NULL;
  a = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  add_mapping (a, 0, own, 1);
  for (guint i = 0; i < r->len; i++)
    {
      IdMapping *m = &g_array_index (r, IdMapping, i);
      add_mapping (a, next, m->host, m->size);
      next += m->size;
    }
  if (r->len == 0)
    *single = TRUE;
  return a;
}

/* The pause process in @pid_file, when it is alive and ours. */
static pid_t
read_pause (const char *pid_file)
{
  g_autofree char *text = NULL, *comm = NULL, *cpath = NULL;
  char path[64];
  struct stat st;
  guint32 pid;
  if (!g_file_get_contents (pid_file, &text, NULL, NULL) || !userns_parse_id (g_strstrip (text), &pid)
      || pid == 0)
    return -1;
  snprintf (path, sizeof path, "/proc/%u", pid);
  if (stat (path, &st) < 0 || st.st_uid != getuid ())
    return -1;
  cpath = g_strdup_printf ("/proc/%u/comm", pid);
  if (!g_file_get_contents (cpath, &comm, NULL, NULL)
      || !g_str_equal (g_strstrip (comm), "podunit-pause"))
    return -1;
  /* A killed one whose reaper is slow (or never reaps) is dead all the
   * same, though its user namespace can still be joined. */
  {
    g_autofree char *spath = g_strdup_printf ("/proc/%u/stat", pid);
    g_autofree char *stat_text = NULL;
    const char *end;
    if (!g_file_get_contents (spath, &stat_text, NULL, NULL) || !(end = strrchr (stat_text, ')'))
        || end[1] != ' ' || end[2] == 'Z' || end[2] == 'X')
      return -1;
  }
  return pid;
}

static gboolean
join (pid_t pid, GError **error)
{
  char path[64];
  int fd;
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail (error, "opening %s: %s", path, g_strerror (errno));
  if (setns (fd, CLONE_NEWUSER) < 0)
    {
      int e = errno;
      close (fd);
      return fail (error, "joining the rootless user namespace of %d: %s", (int) pid,
                   g_strerror (e));
    }
  close (fd);
  /* The user is the namespace's root already (0 maps to them); the saved
   * ids follow. */
  if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
    return fail (error, "becoming root in the rootless user namespace: %s", g_strerror (errno));
  /* Changing ids made this process non-dumpable, and its memory belongs to
   * the initial namespace (that of its exec): its /proc/PID/ns files, and a
   * container's it clones before that exec's, would need CAP_SYS_PTRACE
   * there. pasta, which joins a new container's namespaces as the user,
   * has not. The user's own processes may trace the user's podunit, as
   * they may any other of them. */
  prctl (PR_SET_DUMPABLE, 1);
  return TRUE;
}

/* The pause process's life: nothing open (a pipe held open would hang
 * `podunit ... | x`), named, deaf to the terminal. */
static G_GNUC_NORETURN void
pause_forever (void)
{
  for (int fd = 0; fd < 3; fd++)
    {
      int n = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (n >= 0)
        dup2 (n, fd);
    }
  for (int fd = 3; fd < 4096; fd++)
    close (fd);
  if (chdir ("/") < 0)
    _exit (1);
  prctl (PR_SET_NAME, "podunit-pause");
  signal (SIGINT, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  for (;;)
    pause ();
}

/* Whether @pid is in a rootless namespace of this user: not the initial
 * one, with the user's own id as its root (a container's own namespace
 * maps its root elsewhere or is nested below). */
static gboolean
is_rootless_holder (pid_t pid)
{
  char path[64];
  g_autofree char *map = NULL;
  unsigned a, b, n;
  struct stat st;
  snprintf (path, sizeof path, "/proc/%d", (int) pid);
  if (pid <= 0 || stat (path, &st) < 0 || st.st_uid != getuid ())
    return FALSE;
  snprintf (path, sizeof path, "/proc/%d/uid_map", (int) pid);
  return g_file_get_contents (path, &map, NULL, NULL)
         && sscanf (map, " %u %u %u", &a, &b, &n) == 3 && a == 0 && b == getuid () && n == 1;
}

/* A new pause process in the namespace @holder is in (see
 * userns_rootless_enter); its pid, or -1. */
static pid_t
respawn_pause (pid_t holder)
{
  char path[64];
  int ready[2];
  pid_t mid, pid = -1;
  autofd int ns = -1;
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int) holder);
  ns = open (path, O_RDONLY | O_CLOEXEC);
  if (ns < 0 || pipe2 (ready, O_CLOEXEC) < 0)
    return -1;
  mid = fork ();
  if (mid == 0)
    {
      pid_t p = fork (), self;
      if (p != 0)
        _exit (p > 0 ? 0 : 1);
      close (ready[0]);
      setsid ();
      self = getpid ();
      if (setns (ns, CLONE_NEWUSER) < 0 || write (ready[1], &self, sizeof self) != sizeof self)
        _exit (1);
      pause_forever ();
    }
  close (ready[1]);
  if (mid > 0)
    {
      waitpid (mid, NULL, 0);
      if (read (ready[0], &pid, sizeof pid) != sizeof pid)
        pid = -1;
    }
  close (ready[0]);
  return pid;
}

gboolean
userns_rootless_enter (const char *pause_file, GArray *(*holders) (gpointer data), gpointer data,
                       char **warning, GError **error)
{
  g_autofree char *lock_path = g_strconcat (pause_file, ".lock", NULL);
  g_autofree char *dir = g_path_get_dirname (pause_file);
  const char *user = g_get_user_name ();
  g_autoptr (GArray) umap = NULL;
  g_autoptr (GArray) gmap = NULL;
  gboolean single_u = FALSE, single_g = FALSE, ok;
  int lfd, ready[2], go[2];
  pid_t pid, mid;
  char c;

  if (!userns_is_initial ())
    return TRUE; /* already inside (a supervisor, a podunit it runs) */
  if (g_mkdir_with_parents (dir, 0700) < 0)
    return fail (error, "creating %s: %s", dir, g_strerror (errno));
  lfd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0 || flock (lfd, LOCK_EX) < 0)
    return fail (error, "locking %s: %s", lock_path, g_strerror (errno));
  pid = read_pause (pause_file);
  if (pid > 0)
    {
      ok = join (pid, error);
      close (lfd);
      return ok;
    }
  {
    g_autoptr (GArray) h = holders ? holders (data) : NULL;
    for (guint i = 0; h && i < h->len && pid <= 0; i++)
      if (is_rootless_holder (g_array_index (h, pid_t, i)))
        pid = respawn_pause (g_array_index (h, pid_t, i));
    if (pid > 0)
      {
        g_autofree char *text = g_strdup_printf ("%d", (int) pid);
        ok = g_file_set_contents (pause_file, text, -1, error) && join (pid, error);
        close (lfd);
        return ok;
      }
  }

  umap = rootless_map ("/etc/subuid", user, getuid (), &single_u, error);
  gmap = umap ? rootless_map ("/etc/subgid", user, getgid (), &single_g, error) : NULL;
  if (!gmap)
    {
      close (lfd);
      return FALSE;
    }
  if (single_u || single_g)
    *warning = g_strdup_printf (
        "no range for %s in /etc/sub%cid: only the user's own id is mapped, so images with "
        "files of other owners will not work (add one: usermod --add-subuids 100000-165535 "
        "--add-subgids 100000-165535 %s)",
        user, single_u ? 'u' : 'g', user);

  /* The pause process: a user namespace with nothing in it but this
   * sleep, so that it outlives every command. Double-forked (init's child,
   * not ours), every fd closed (a pipe held open would hang `podunit ... |
   * x`); the maps are written between its unshare and "go". */
  if (pipe2 (ready, O_CLOEXEC) < 0 || pipe2 (go, O_CLOEXEC) < 0)
    {
      close (lfd);
      return fail (error, "pipe: %s", g_strerror (errno));
    }
  mid = fork ();
  if (mid < 0)
    {
      close (lfd);
      return fail (error, "fork: %s", g_strerror (errno));
    }
  if (mid == 0)
    {
      pid_t p = fork (), self;
      if (p != 0)
        _exit (p > 0 ? 0 : 1);
      close (ready[0]);
      close (go[1]);
      setsid ();
      /* One message, from the pause process alone: its pid once its
       * namespace exists. (Two writers, the middle child with the pid and
       * this one with "ready", raced: under load the parent read "r" and
       * three bytes of the pid as a pid.) */
      self = getpid ();
      if (unshare (CLONE_NEWUSER) < 0 || write (ready[1], &self, sizeof self) != sizeof self)
        _exit (1);
      /* Until "go" the maps are not there: nothing to do in here yet. */
      if (read (go[0], &c, 1) != 1 || c != 'g')
        _exit (1);
      pause_forever ();
    }
  close (ready[1]);
  close (go[0]);
  waitpid (mid, NULL, 0);
  pid = -1;
  ok = read (ready[0], &pid, sizeof pid) == sizeof pid && pid > 0;
  close (ready[0]);
  if (!ok)
    fail (error, "starting the pause process of the rootless user namespace failed");
  else
    ok = userns_write_maps (pid, umap, gmap, error);
  if (ok && write (go[1], "g", 1) != 1)
    ok = fail (error, "starting the pause process: %s", g_strerror (errno));
  close (go[1]);
  if (ok)
    {
      g_autofree char *text = g_strdup_printf ("%d", (int) pid);
      if (!g_file_set_contents (pause_file, text, -1, error))
        ok = FALSE;
    }
  if (ok)
    ok = join (pid, error);
  if (!ok && pid > 0)
    kill (pid, SIGKILL);
  close (lfd);
  return ok;
}

static gboolean
map_size (const char *file, guint32 *n, guint32 *host0, GArray **lines, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) split = NULL;
  *n = 0;
  *host0 = G_MAXUINT32;
  if (!g_file_get_contents (file, &text, NULL, error))
    return FALSE;
  *lines = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  split = g_strsplit (text, "\n", -1);
  for (char **l = split; *l; l++)
    {
      unsigned a, b, c;
      if (sscanf (*l, " %u %u %u", &a, &b, &c) != 3)
        continue;
      add_mapping (*lines, a, b, c);
      if (a == 0)
        *host0 = b;
      if ((guint64) a + c > *n)
        *n = MIN ((guint64) a + c, G_MAXUINT32);
    }
  return TRUE;
}

gboolean
userns_rootless_host (UsernsHost *host, GError **error)
{
  return map_size ("/proc/self/uid_map", &host->ns_uids, &host->user_uid, &host->ns_uid_lines,
                   error)
         && map_size ("/proc/self/gid_map", &host->ns_gids, &host->user_gid,
                      &host->ns_gid_lines, error);
}

void
userns_host_clear (UsernsHost *host)
{
  g_clear_pointer (&host->ns_uid_lines, g_array_unref);
  g_clear_pointer (&host->ns_gid_lines, g_array_unref);
  g_clear_pointer (&host->used_uids, g_array_unref);
  g_clear_pointer (&host->used_gids, g_array_unref);
}
