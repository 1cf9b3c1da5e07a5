/* SPDX-License-Identifier: Apache-2.0 */
/* Container records on disk: the spec (config, a GVariant) and the run
 * state (state.json). The spec is a flat struct serialized through one field
 * table, so adding a flag is adding one line here and one in container.h. */
#include "container/container.h"
#include "supervisor/events.h"
#include "error.h"
#include "image/store-fs.h"
#include "names.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "container/state-json.h"
#include "supervisor/supervisor.h"
#include "fdio.h"

G_DEFINE_QUARK (container-error-quark, container_error)

typedef enum { F_STR, F_STRV, F_BOOL, F_INT, F_INT64 } FieldType;

static const struct {
  const char *key;
  FieldType type;
  size_t off;
} fields[] = {
#define S(k, f) { k, F_STR, offsetof (ContainerConfig, f) }
#define V(k, f) { k, F_STRV, offsetof (ContainerConfig, f) }
#define B(k, f) { k, F_BOOL, offsetof (ContainerConfig, f) }
#define I(k, f) { k, F_INT, offsetof (ContainerConfig, f) }
#define L(k, f) { k, F_INT64, offsetof (ContainerConfig, f) }
  S ("Id", id), S ("Name", name), S ("Image", image), S ("ImageId", image_id),
  L ("Created", created), V ("Args", argv), V ("Entrypoint", entrypoint), V ("Env", env), S ("WorkingDir", workdir),
  B ("WorkingDirMustExist", workdir_must_exist),
  S ("User", user), V ("GroupAdd", group_add), S ("Hostname", hostname), V ("Mounts", mounts), V ("Secrets", secrets),
  B ("ReadOnly", read_only), B ("ReadOnlyTmpfs", read_only_tmpfs), V ("CapAdd", cap_add),
  V ("CapDrop", cap_drop), B ("NoNewPrivileges", no_new_privs), S ("Seccomp", seccomp_profile),
  V ("Mask", mask), V ("Unmask", unmask), V ("Labels", labels), V ("Annotations", annotations),
  I ("StopSignal", stop_signal), L ("StopTimeout", stop_timeout), V ("Ulimits", ulimits),
  V ("Sysctls", sysctls), L ("ShmSize", shm_size), S ("Network", network), B ("Init", init),
  V ("Ports", ports), S ("StaticIP", ip), S ("StaticIP6", ip6), S ("StaticMac", mac), V ("NetworkAliases", network_aliases),
  B ("AutoRemove", auto_remove), B ("AutoRemoveImage", auto_remove_image), S ("RestartPolicy", restart_policy),
  L ("RestartRetries", restart_retries), S ("Timezone", tz), V ("Devices", devices), V ("Dns", dns),
  V ("DnsSearch", dns_search), V ("DnsOption", dns_option), V ("AddHost", add_host),
  S ("UserNS", userns), V ("UidMap", uidmap), V ("GidMap", gidmap),
  S ("SubUidName", subuidname), S ("SubGidName", subgidname), S ("LogDriver", log_driver),
  S ("LogPath", log_path), S ("LogTag", log_tag), L ("LogSizeMax", log_size_max), B ("OomScoreAdjSet", oom_score_adj_set),
  I ("OomScoreAdj", oom_score_adj),
  S ("SdNotify", sdnotify), S ("Cgroups", cgroups), B ("Interactive", interactive),
  B ("Tty", tty), L ("Memory", memory), L ("PidsLimit", pids_limit), L ("CpuQuota", cpu_quota),
  S ("Pod", pod), B ("IsInfra", infra), S ("ConmonPidFile", conmon_pidfile),
  S ("PodInfra", pod_infra), V ("PodShare", pod_share),
  B ("NoHostname", no_hostname),
  B ("Privileged", privileged), B ("Systemd", systemd), L ("Timeout", timeout), S ("CidFile", cidfile),
  B ("CgroupnsHost", cgroupns_host), V ("DeviceCgroupRules", device_cgroup_rules),
  S ("Hooks", hooks), S ("OCIRuntime", oci_runtime),
#undef S
#undef V
#undef B
#undef I
#undef L
};

#define FIELD(c, i, T) ((T *) ((char *) (c) + fields[i].off))

void
container_config_free (ContainerConfig *c)
{
  if (!c)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      if (fields[i].type == F_STR)
        g_free (*FIELD (c, i, char *));
      else if (fields[i].type == F_STRV)
        g_strfreev (*FIELD (c, i, char **));
    }
  g_strfreev (c->layer_dirs);
  g_free (c);
}

const char *
container_status_to_string (ContainerStatus s)
{
  switch (s)
    {
    case CONTAINER_CREATED: return "created";
    case CONTAINER_RUNNING: return "running";
    case CONTAINER_STOPPING: return "stopping";
    case CONTAINER_EXITED: return "exited";
    case CONTAINER_PAUSED: return "paused";
    }
  return "unknown";
}

gboolean
container_status_alive (ContainerStatus s)
{
  return s == CONTAINER_RUNNING || s == CONTAINER_STOPPING || s == CONTAINER_PAUSED;
}

char *
container_new_id (void)
{
  guint8 buf[32];
  GString *s = g_string_sized_new (65);
  autofd int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read (fd, buf, sizeof buf) != sizeof buf)
    for (gsize i = 0; i < sizeof buf; i++)
      buf[i] = g_random_int_range (0, 256);
  for (gsize i = 0; i < sizeof buf; i++)
    g_string_append_printf (s, "%02x", buf[i]);
  return g_string_free (s, FALSE);
}

/* A name as podman gives: an adjective and a scientist, 1,600 of them.
 * Callers try again while the name is taken; from the tenth try on a
 * number is added, so a store holding every pair still gets a name. */
char *
container_generate_name (guint attempt)
{
  static const char *const adj[] = {
    "admiring", "agile", "amazing", "bold", "brave", "bright", "calm", "clever",
    "cool", "dazzling", "eager", "elastic", "fancy", "festive", "focused", "gentle",
    "happy", "hopeful", "jolly", "keen", "kind", "lucid", "merry", "modest",
    "nifty", "noble", "patient", "proud", "quiet", "relaxed", "serene", "sharp",
    "stoic", "sweet", "tender", "upbeat", "vibrant", "vivid", "witty", "zen",
  };
  static const char *const noun[] = {
    "agnesi", "babbage", "bohr", "boole", "cannon", "curie", "darwin", "dijkstra",
    "einstein", "euclid", "euler", "faraday", "fermat", "fermi", "franklin", "galileo",
    "gauss", "goodall", "hamilton", "hawking", "hopper", "hypatia", "johnson", "kepler",
    "knuth", "lamarr", "lovelace", "maxwell", "meitner", "newton", "noether", "pascal",
    "planck", "ritchie", "shannon", "tesla", "thompson", "turing", "volta", "wozniak",
  };
  const char *a = adj[g_random_int_range (0, G_N_ELEMENTS (adj))];
  const char *n = noun[g_random_int_range (0, G_N_ELEMENTS (noun))];

  if (attempt < 10)
    return g_strdup_printf ("%s_%s", a, n);
  return g_strdup_printf ("%s_%s%u", a, n, (guint) g_random_int_range (0, 1000000));
}

static char *static_dir;
static char *static_tag; /* "static-" and 12 hex of static_dir's sha256 */

void
container_set_static_dir (const char *dir)
{
  g_clear_pointer (&static_dir, g_free);
  g_clear_pointer (&static_tag, g_free);
  if (!dir)
    return;
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, dir, -1);
  static_dir = g_strdup (dir);
  static_tag = g_strdup_printf ("static-%.12s", sum);
}

char *
container_runs_dir (const char *runroot)
{
  return static_tag ? g_build_filename (runroot, static_tag, "containers", NULL)
                    : g_build_filename (runroot, "containers", NULL);
}

/* Where the records are: static_dir, else ROOT. */
static const char *
records (const char *root)
{
  return static_dir ? static_dir : root;
}

char *
container_dir (const char *root, const char *id)
{
  return g_build_filename (records (root), "containers", id, NULL);
}

char *
container_run_dir (const char *runroot, const char *id)
{
  g_autofree char *runs = container_runs_dir (runroot);
  return g_build_filename (runs, id, NULL);
}

char *
container_log_path (const char *root, const ContainerConfig *c)
{
  if (c->log_path)
    return g_strdup (c->log_path);
  return g_build_filename (records (root), "containers", c->id, "ctr.log", NULL);
}

/* The record is a GVariant dictionary (a{sv}, this machine's byte order),
 * glib's own serialization: run writes and reads it without loading a
 * JSON library (runtime/meson.build). */
#define CONFIG_FILE "config"

static char *
config_path (const char *root, const char *id)
{
  return g_build_filename (records (root), "containers", id, CONFIG_FILE, NULL);
}

/* A string field is "s", a list "as"; a value that is not UTF-8 (a
 * command's argument, an image's Env entry: any bytes but NUL) cannot be a
 * GVariant string and is kept byte for byte as "ay" / "aay" instead. */
static gboolean
strv_is_utf8 (char **v)
{
  for (; *v; v++)
    if (!g_utf8_validate (*v, -1, NULL))
      return FALSE;
  return TRUE;
}

GVariant *
container_config_to_variant (const ContainerConfig *c)
{
  g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      GVariant *x = NULL;
      const char *s;
      char **v;
      switch (fields[i].type)
        {
        case F_STR:
          if ((s = *FIELD (c, i, char *)))
            x = g_utf8_validate (s, -1, NULL) ? g_variant_new_string (s)
                                              : g_variant_new_bytestring (s);
          break;
        case F_STRV:
          if ((v = *FIELD (c, i, char **)))
            x = strv_is_utf8 (v) ? g_variant_new_strv ((const char *const *) v, -1)
                                 : g_variant_new_bytestring_array ((const char *const *) v, -1);
          break;
        case F_BOOL:
          x = g_variant_new_boolean (*FIELD (c, i, gboolean));
          break;
        case F_INT:
          x = g_variant_new_int32 (*FIELD (c, i, int));
          break;
        case F_INT64:
          x = g_variant_new_int64 (*FIELD (c, i, gint64));
          break;
        }
      if (x)
        g_variant_builder_add (&b, "{sv}", fields[i].key, x);
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

/* The index in fields[] of @key, -1 when it names none. */
static int
field_index (const char *key)
{
  static GHashTable *index;
  if (g_once_init_enter (&index))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);
      for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
        g_hash_table_insert (t, (gpointer) fields[i].key, GSIZE_TO_POINTER (i + 1));
      g_once_init_leave (&index, t);
    }
  return (int) GPOINTER_TO_SIZE (g_hash_table_lookup (index, key)) - 1;
}

/* One pass over the record's entries (a lookup per field walks the whole
 * dictionary: quadratic in the number of fields). The first entry of a
 * key counts, as g_variant_lookup_value's; unknown keys are skipped. */
ContainerConfig *
container_config_from_variant (GVariant *v)
{
  g_autoptr (ContainerConfig) c = g_new0 (ContainerConfig, 1);
  gboolean seen[G_N_ELEMENTS (fields)] = { 0 };
  GVariantIter it;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&it, v);
  while (g_variant_iter_next (&it, "{&sv}", &key, &value))
    {
      g_autoptr (GVariant) x = value;
      int i = field_index (key);
      if (i < 0 || seen[i])
        continue;
      seen[i] = TRUE;
      switch (fields[i].type)
        {
        case F_STR:
          if (g_variant_is_of_type (x, G_VARIANT_TYPE_STRING))
            *FIELD (c, i, char *) = g_variant_dup_string (x, NULL);
          else if (g_variant_is_of_type (x, G_VARIANT_TYPE_BYTESTRING))
            *FIELD (c, i, char *) = g_variant_dup_bytestring (x, NULL);
          break;
        case F_STRV:
          if (g_variant_is_of_type (x, G_VARIANT_TYPE_STRING_ARRAY))
            *FIELD (c, i, char **) = g_variant_dup_strv (x, NULL);
          else if (g_variant_is_of_type (x, G_VARIANT_TYPE_BYTESTRING_ARRAY))
            *FIELD (c, i, char **) = g_variant_dup_bytestring_array (x, NULL);
          break;
        case F_BOOL:
          if (g_variant_is_of_type (x, G_VARIANT_TYPE_BOOLEAN))
            *FIELD (c, i, gboolean) = g_variant_get_boolean (x);
          break;
        case F_INT:
          if (g_variant_is_of_type (x, G_VARIANT_TYPE_INT32))
            *FIELD (c, i, int) = g_variant_get_int32 (x);
          break;
        case F_INT64:
          if (g_variant_is_of_type (x, G_VARIANT_TYPE_INT64))
            *FIELD (c, i, gint64) = g_variant_get_int64 (x);
          break;
        }
    }
  return g_steal_pointer (&c);
}

gboolean
container_config_save (const ContainerConfig *c, const char *root, GError **error)
{
  g_autofree char *path = config_path (root, c->id);
  g_autoptr (GVariant) v = container_config_to_variant (c);

  /* A --rm container's record need not survive a crash: skip the fsync. */
  if (write_file_atomic (AT_FDCWD, path, g_variant_get_data (v), g_variant_get_size (v), 0644,
                         c->auto_remove ? 0 : WRITE_DURABLE)
      < 0)
    return errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "writing %s", path);
  return TRUE;
}

/* The record's dictionary; NULL with @error when there is none or it is
 * not one. */
static GVariant *
config_read (const char *root, const char *id, GError **error)
{
  g_autofree char *path = config_path (root, id);
  char *data;
  gsize len;
  GVariant *v;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  v = g_variant_ref_sink (
      g_variant_new_from_data (G_VARIANT_TYPE_VARDICT, data, len, FALSE, g_free, data));
  if (!g_variant_is_normal_form (v))
    {
      g_variant_unref (v);
      g_set_error (error, CONTAINER_ERROR, CONTAINER_ERROR_INVALID, "%s: not a container record",
                   path);
      return NULL;
    }
  return v;
}

ContainerConfig *
container_config_load (const char *root, const char *id, GError **error)
{
  g_autoptr (GVariant) v = config_read (root, id, error);
  return v ? container_config_from_variant (v) : NULL;
}

GPtrArray *
container_list (const char *root, GError **error)
{
  g_autofree char *dir = g_build_filename (records (root), "containers", NULL);
  return name_list_ids (dir, CONFIG_FILE);
}

/* Resolving names reads every container's name. */
static char *
read_name (const char *root, const char *id)
{
  g_autoptr (GVariant) v = config_read (root, id, NULL);
  const char *name;

  return v && g_variant_lookup (v, "Name", "&s", &name) ? g_strdup (name) : NULL;
}

static char *
name_of (const char *id, gpointer root)
{
  return read_name (root, id);
}

char *
container_resolve (const char *root, const char *name_or_id, GError **error)
{
  g_autoptr (GPtrArray) ids = container_list (root, NULL);
  gboolean ambiguous;
  const char *match;

  /* Docker's "/NAME" (names never begin with '/') */
  if (name_or_id[0] == '/')
    name_or_id++;
  match = name_resolve (ids, name_of, (gpointer) root, name_or_id, &ambiguous);
  if (match)
    return g_strdup (match);
  g_set_error (error, CONTAINER_ERROR, CONTAINER_ERROR_NOT_FOUND,
               ambiguous ? "more than one container matches \"%s\""
                         : "no container with name or ID \"%s\" found: no such container",
               name_or_id);
  return NULL;
}

gboolean
container_record_exists (const char *root, const char *id)
{
  g_autofree char *cfg = config_path (root, id);
  return access (cfg, F_OK) == 0;
}

GPtrArray *
container_dependents (const char *root, const char *id)
{
  g_autoptr (GPtrArray) all = container_list (root, NULL);
  g_autofree char *net = g_strconcat ("container:", id, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; all && i < all->len; i++)
    {
      g_autoptr (ContainerConfig) c = container_config_load (root, all->pdata[i], NULL);
      if (c && !g_str_equal (c->id, id)
          && (g_strcmp0 (c->network, net) == 0 || g_strcmp0 (c->pod_infra, id) == 0))
        g_ptr_array_add (out, g_strdup (c->id));
    }
  return out;
}

static int
lock_file (const char *path, GError **error)
{
  autofd int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX) < 0)
    return errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "locking %s", path), -1;
  return fd_steal (&fd);
}

int
container_lock (const char *runroot, const char *id, GError **error)
{
  g_autofree char *dir = container_run_dir (runroot, id);
  g_autofree char *path = g_build_filename (dir, "lock", NULL);
  for (;;)
    {
      autofd int fd = -1;
      struct stat held, now;
      if (g_mkdir_with_parents (dir, 0700) < 0)
        {
          errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "creating %s", dir);
          return -1;
        }
      fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0 && errno == ENOENT)
        continue; /* a rm took the run dir between the mkdir and the open */
      if (fd < 0 || flock (fd, LOCK_EX) < 0)
        return errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "locking %s", path),
               -1;
      /* A `rm` that held it may have removed the run dir meanwhile: the
       * lock is only ours if it is still the file at its path. */
      if (fstat (fd, &held) == 0 && stat (path, &now) == 0 && held.st_ino == now.st_ino
          && held.st_dev == now.st_dev)
        return fd_steal (&fd);
    }
}

/* ROOT/containers holds independent trees: on ext2/3/4 the Orlov
 * allocator then spreads them over the block groups as it does top-level
 * dirs (chattr +T), instead of packing each next to its parent, so a
 * container's overlay work files are not allocated among the inodes other
 * programs under ROOT's parent just deleted, which ext4 without a journal
 * scans past at every allocation. Other file systems refuse the flag. */
static void
mark_top_dir (const char *dir)
{
  autofd int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int flags;
  if (fd >= 0 && ioctl (fd, FS_IOC_GETFLAGS, &flags) == 0)
    {
      flags |= FS_TOPDIR_FL;
      (void)ioctl (fd, FS_IOC_SETFLAGS, &flags);
    }
}

/* The kernel takes at most 64 bytes (sethostname fails with a bare EINVAL
 * at start otherwise), and the name goes into /etc/hosts: no spaces or
 * control characters that would make a line of it two. */
static gboolean
check_hostname (const char *hostname, GError **error)
{
  if (strlen (hostname) > 64)
    {
      g_set_error (error, CONTAINER_ERROR, CONTAINER_ERROR_INVALID,
                   "invalid hostname: %zu characters, at most 64 are allowed", strlen (hostname));
      return FALSE;
    }
  for (const char *p = hostname; *p; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      {
        g_set_error (error, CONTAINER_ERROR, CONTAINER_ERROR_INVALID,
                     "invalid hostname \"%s\": spaces and control characters are not allowed",
                     hostname);
        return FALSE;
      }
  return TRUE;
}

gboolean
container_create_record (ContainerConfig *c, const char *root, const char *runroot,
                         gboolean replace,
                         gboolean (*remove_cb) (const char *id, gpointer data, GError **),
                         gpointer data, GError **error)
{
  g_autofree char *cdir = g_build_filename (records (root), "containers", NULL);
  g_autofree char *lockp = g_build_filename (records (root), "containers.lock", NULL);
  g_autofree char *dir = NULL;
  autofd int lfd = -1;

  if (c->name && !name_check ("container", c->name, error))
    return FALSE;
  if (c->hostname && !check_hostname (c->hostname, error))
    return FALSE;
  if (mkdir (cdir, 0700) == 0 || (errno == ENOENT && g_mkdir_with_parents (cdir, 0700) == 0))
    mark_top_dir (cdir);
  else if (errno != EEXIST)
    return errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "creating %s", cdir);
  lfd = lock_file (lockp, error);
  if (lfd < 0)
    return FALSE;

  if (c->name)
    {
      g_autofree char *old = container_resolve (root, c->name, NULL);
      g_autofree char *old_name = old ? read_name (root, old) : NULL;
      if (old && g_strcmp0 (old_name, c->name) == 0)
        {
          if (!replace)
            {
              g_set_error (error, CONTAINER_ERROR, CONTAINER_ERROR_EXISTS,
                           "creating container storage: the container name \"%s\" is already "
                           "in use by %s. You have to remove that container to be able to "
                           "reuse that name: that name is already in use",
                           c->name, old);
              return FALSE;
            }
          if (!remove_cb (old, data, error))
            return FALSE;
        }
    }
  else
    {
      g_autofree char *taken = NULL;
      guint attempt = 0;
      do
        {
          g_free (c->name);
          g_free (taken);
          c->name = container_generate_name (attempt++);
          taken = container_resolve (root, c->name, NULL);
        }
      while (taken);
    }

  dir = container_dir (root, c->id);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    return errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "creating %s", dir);
  for (const char *const *sub = (const char *const[]){ "upper", "work", NULL }; *sub;
       sub++)
    {
      g_autofree char *p = g_build_filename (dir, *sub, NULL);
      if (mkdir (p, 0755) < 0)
        return errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "creating %s", p);
    }
  {
    /* The container's / has the upper dir's mode (overlay shows the upper
     * root): the top layer's that is not the 0555 default (store.c), else
     * 0555, as containers/storage passes a parent layer's mode upwards. */
    g_autofree char *upper = g_build_filename (dir, "upper", NULL);
    guint n = c->layer_dirs ? g_strv_length (c->layer_dirs) : 0;
    mode_t mode = 0555;
    for (guint i = n; i-- > 0;)
      {
        struct stat st;
        if (stat (c->layer_dirs[i], &st) == 0 && (st.st_mode & 07777) != 0555)
          {
            mode = st.st_mode & 07777;
            break;
          }
      }
    if (n > 0 && chmod (upper, mode) < 0)
      return errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "creating %s", upper);
  }
  if (!container_config_save (c, root, error))
    return FALSE;
  events_append (runroot, "container", "create", c->id, c->name, c->image, -1);
  return TRUE;
}

static char *
state_path (const char *runroot, const char *id)
{
  g_autofree char *runs = container_runs_dir (runroot);
  return g_build_filename (runs, id, "state.json", NULL);
}

gboolean
container_pid_running (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  paren = strrchr (stat, ')'); /* "PID (comm) STATE ..." */
  return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/* state.json as container_state_save and the supervisor write it without
 * json-glib (`run` loads no JSON library); another layout takes json-glib. */
static gboolean
parse_state (const char *text, ContainerState *st, GError **error)
{
  char status[16];
  int pid, sup, code, end = 0;
  long long started, finished;
  g_autoptr (JsonParser) p = NULL;
  JsonObject *o;
  const char *s;

  if (sscanf (text, CONTAINER_STATE_JSON_SCAN, status, &pid, &sup, &code, &started, &finished, &end)
          == 6
      && end > 0)
    {
      s = status;
      st->pid = pid;
      st->supervisor_pid = sup;
      st->exit_code = code;
      st->started_at = started;
      st->finished_at = finished;
    }
  else
    {
      p = json_parser_new ();
      if (!json_parser_load_from_data (p, text, -1, error))
        return FALSE;
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
        return TRUE;
      o = json_node_get_object (json_parser_get_root (p));
      s = json_object_get_string_member_with_default (o, "status", "created");
      st->pid = json_object_get_int_member_with_default (o, "pid", 0);
      st->supervisor_pid = json_object_get_int_member_with_default (o, "supervisor_pid", 0);
      st->exit_code = json_object_get_int_member_with_default (o, "exit_code", 0);
      st->started_at = json_object_get_int_member_with_default (o, "started_at", 0);
      st->finished_at = json_object_get_int_member_with_default (o, "finished_at", 0);
    }
  st->status = g_str_equal (s, "running")    ? CONTAINER_RUNNING
               : g_str_equal (s, "stopping") ? CONTAINER_STOPPING
               : g_str_equal (s, "exited")   ? CONTAINER_EXITED
                                             : CONTAINER_CREATED;
  return TRUE;
}

gboolean
container_state_load (const char *runroot, const char *id, ContainerState *st, GError **error)
{
  g_autofree char *path = state_path (runroot, id);
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;

  memset (st, 0, sizeof *st);
  st->status = CONTAINER_CREATED;
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!parse_state (text, st, error))
    return FALSE;
  /* `stop` leaves a mark before it signals (launch_stop): until the exit
   * is recorded the container is stopping, as podman shows it. */
  if (st->status == CONTAINER_RUNNING)
    {
      g_autofree char *rdir = container_run_dir (runroot, id);
      g_autofree char *mark = g_build_filename (rdir, CONTAINER_STOPPING_MARK, NULL);
      g_autofree char *paused = g_build_filename (rdir, CONTAINER_PAUSED_MARK, NULL);
      if (access (mark, F_OK) == 0)
        st->status = CONTAINER_STOPPING;
      else if (access (paused, F_OK) == 0)
        st->status = CONTAINER_PAUSED;
    }
  /* A container whose pid 1 vanished without anyone recording it (killed
   * supervisor, crash): report it exited rather than running forever.
   * While another process supervises it, the exit is about to be recorded
   * with the real status: until then it still counts as running. (A
   * foreground run is its own supervisor and records the exit itself.) */
  if (container_status_alive (st->status)
      && (st->pid <= 0 || !container_pid_running (st->pid))
      && (st->supervisor_pid <= 0 || st->supervisor_pid == getpid ()
          || !container_pid_running (st->supervisor_pid)))
    {
      /* A zombie is not running either (a killed supervisor cannot reap
       * its container). Nobody will record the real status: as podman
       * after conmon dies, it is 137 (killed), at the time it was found,
       * and that is written down so it does not change on the next look. */
      gboolean supervised = st->supervisor_pid > 0 && st->supervisor_pid != getpid ();
      st->status = CONTAINER_EXITED;
      st->pid = 0;
      if (supervised)
        {
          st->exit_code = 137;
          st->finished_at = g_get_real_time ();
          st->supervisor_pid = 0;
          (void) container_state_save (runroot, id, st, NULL);
        }
    }
  return TRUE;
}

gboolean
container_state_save (const char *runroot, const char *id, const ContainerState *st,
                      GError **error)
{
  g_autofree char *dir = container_run_dir (runroot, id);
  g_autofree char *path = state_path (runroot, id);
  g_autofree char *text = g_strdup_printf (
      CONTAINER_STATE_JSON,
      container_status_to_string (st->status == CONTAINER_PAUSED ? CONTAINER_RUNNING : st->status),
      (int) st->pid,
      (int) st->supervisor_pid, st->exit_code, (long long) st->started_at,
      (long long) st->finished_at);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "creating %s", dir);
      return FALSE;
    }
  if (write_file_atomic (AT_FDCWD, path, text, strlen (text), 0644, WRITE_DURABLE) < 0)
    return errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "writing %s", path);
  return TRUE;
}

int
container_restart_count (const char *runroot, const char *id)
{
  g_autofree char *rdir = container_run_dir (runroot, id);
  g_autofree char *path = g_build_filename (rdir, SUPERVISOR_RESTARTS_FILE, NULL);
  g_autofree char *text = NULL;
  return g_file_get_contents (path, &text, NULL, NULL) ? atoi (text) : 0;
}

gboolean
container_remove_files (const char *root, const char *runroot, const char *id, GError **error)
{
  g_autofree char *dir = container_dir (root, id);
  g_autofree char *rdir = container_run_dir (runroot, id);
  g_autofree char *cfg = config_path (root, id);
  /* The record goes first: a half-removed container is then invisible
   * instead of listed with missing parts. */
  if (unlink (cfg) < 0 && errno != ENOENT)
    return errno_error (error, CONTAINER_ERROR, CONTAINER_ERROR_IO, errno, "removing %s", cfg);
  if (!fs_rm_rf (dir, error))
    return FALSE;
  /* Another rm of it, waiting for the lock this one holds, makes a new
   * lock file once this one is unlinked (container_lock) and can put it
   * in the run dir between its emptying and its rmdir: then again. */
  for (int tries = 0;; tries++)
    {
      g_autoptr (GError) local = NULL;
      if (fs_rm_rf (rdir, &local))
        return TRUE;
      if (tries == 3)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
}

static gboolean
is_id (const char *name)
{
  gsize n = 0;
  for (; g_ascii_isxdigit (name[n]); n++)
    ;
  return n == 64 && name[n] == '\0';
}

/* Ids under @dir (ROOT/containers or RUNROOT/containers) that have no
 * record, added to @debris. */
static void
find_debris (const char *dir, const char *root, GHashTable *debris)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *cdir = g_build_filename (records (root), "containers", NULL);
  autofd int cfd = open (cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const char *e;
  while (d && (e = g_dir_read_name (d)))
    {
      g_autofree char *rel = g_build_filename (e, CONFIG_FILE, NULL);
      struct stat st;
      if (is_id (e) && (cfd < 0 || fstatat (cfd, rel, &st, 0) < 0) && errno == ENOENT)
        g_hash_table_add (debris, g_strdup (e));
    }
}

gboolean
container_sweep (const char *root, const char *runroot, ContainerReleaseFunc release,
                 gpointer data, GError **error)
{
  g_autofree char *lockp = g_build_filename (records (root), "containers.lock", NULL);
  g_autofree char *cdir = g_build_filename (records (root), "containers", NULL);
  g_autofree char *rdir = container_runs_dir (runroot);
  g_autoptr (GHashTable) debris = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter it;
  gpointer id;
  autofd int lfd = -1;

  if (access (cdir, F_OK) < 0 && access (rdir, F_OK) < 0)
    return TRUE;
  /* run dirs whose static_dir was removed: its lock goes there again */
  if (access (records (root), F_OK) < 0 && errno == ENOENT)
    g_mkdir_with_parents (records (root), 0700);
  lfd = lock_file (lockp, error);
  if (lfd < 0)
    return FALSE;
  find_debris (cdir, root, debris);
  find_debris (rdir, root, debris);
  g_hash_table_iter_init (&it, debris);
  while (g_hash_table_iter_next (&it, &id, NULL))
    {
      g_autofree char *dir = container_dir (root, id);
      g_autofree char *run = container_run_dir (runroot, id);
      g_autofree char *lock = g_build_filename (run, "lock", NULL);
      /* No O_CREAT: a remover holds the lock file until it is unlinked
       * with the run dir, after the container's dir. */
      autofd int cl = open (lock, O_RDWR | O_CLOEXEC);
      if (cl >= 0 && flock (cl, LOCK_EX | LOCK_NB) < 0)
        continue; /* a live remove (or stop) is at it */
      if ((release && !release (id, data, error)) || !fs_rm_rf (dir, error)
          || !fs_rm_rf (run, error))
        return FALSE;
    }
  return TRUE;
}

const char *
container_strv_get (char **kv, const char *key)
{
  gsize n = strlen (key);
  for (; kv && *kv; kv++)
    if (strncmp (*kv, key, n) == 0 && (*kv)[n] == '=')
      return *kv + n + 1;
  return NULL;
}

int
container_parse_signal (const char *s)
{
  static const struct { const char *name; int sig; } sigs[] = {
    { "HUP", SIGHUP },   { "INT", SIGINT },     { "QUIT", SIGQUIT }, { "ILL", SIGILL },
    { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },   { "BUS", SIGBUS },   { "FPE", SIGFPE },
    { "KILL", SIGKILL }, { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
    { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },   { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
    { "CONT", SIGCONT }, { "STOP", SIGSTOP },   { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
    { "TTOU", SIGTTOU }, { "URG", SIGURG },     { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
    { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
    { "PWR", SIGPWR },   { "SYS", SIGSYS },
  };
  char *end;
  long n;
  if (!s || !*s)
    return -1;
  n = strtol (s, &end, 10);
  if (!*end)
    return n > 0 && n < 65 ? (int) n : -1;
  if (g_ascii_strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (gsize i = 0; i < G_N_ELEMENTS (sigs); i++)
    if (g_ascii_strcasecmp (sigs[i].name, s) == 0)
      return sigs[i].sig;
  if (g_ascii_strncasecmp (s, "RTMIN+", 6) == 0 && g_ascii_isdigit (s[6]))
    {
      n = strtol (s + 6, &end, 10);
      return !*end && n <= SIGRTMAX - SIGRTMIN ? SIGRTMIN + (int) n : -1;
    }
  return -1;
}

char *
container_opt_get (const char *spec, const char *key)
{
  g_auto (GStrv) parts = g_strsplit (spec, ",", -1);
  gsize n = strlen (key);
  for (char **p = parts; *p; p++)
    if (strncmp (*p, key, n) == 0 && (*p)[n] == '=')
      return g_strdup (*p + n + 1);
  return NULL;
}

char *
container_secret_copy (const char *root, const char *id, const char *entry)
{
  g_autofree char *cdir = container_dir (root, id);
  g_autofree char *type = container_opt_get (entry, "type");
  g_autofree char *name = container_opt_get (entry, "source");
  return g_build_filename (cdir, g_strcmp0 (type, "env") == 0 ? "secrets-env" : "secrets",
                           name ? name : "", NULL);
}
