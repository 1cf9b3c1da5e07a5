/* SPDX-License-Identifier: Apache-2.0 */
#include "image/layer.h"
#include "error.h"
#include "image/digest.h"
#include "image/store-fs.h"
#include "image/store.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define READ_BLOCK (1 << 20)

typedef struct archive ArchiveRead;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArchiveRead, archive_read_free)

/* The decompressed stream.  While fewer layers unpack in this process
 * than there are CPUs (a load, a build, the last big layer of a pull),
 * decompression and hashing run in a thread of their own, a few chunks
 * ahead of the tar reader and the file writes, so a layer unpacks on two
 * cores (the work splits about evenly). While the layers unpacking keep
 * every CPU busy (a pull's concurrent layers), the tar reader inflates
 * for itself: no copy into chunks, no hand-off, the data still in cache
 * when it is written. A stream starts inline and takes the thread once
 * the others are done. */
#define CHUNK_SIZE (512 << 10)
#define CHUNKS 4

typedef struct
{
  char *data;
  gsize len; /* 0: the end of the stream (or an error, see Stream.error) */
} Chunk;

typedef struct
{
  struct archive *raw;
  Sha256 *hash;
  guint64 size;
  char *error;        /* written by the producer before its end chunk */
  GAsyncQueue *full;  /* producer -> tar reader */
  GAsyncQueue *empty; /* tar reader -> producer */
  Chunk *current;     /* the chunk the tar reader is reading */
  gboolean done;
  gint stop;
  GThread *thread; /* NULL: inline (stream_read inflates) */
  Chunk chunks[CHUNKS];
} Stream;

typedef struct
{
  int rootfd;
  LayerFlags flags;
  gboolean chown;
  /* New files are ours (euid/egid) already: chown only what differs, unless
   * the layer dir is set-gid (new files would take its group). */
  uid_t euid;
  gid_t egid;
  gboolean setgid_root;
  const char *what;
  /* Entries of a tarball come grouped by directory: keep the last parent
   * open instead of resolving it again for every file. */
  char *parent_path;
  int parent_fd;
  /* Directory entries whose mode/owner/times are applied at the end, after
   * their children stopped changing the mtime. */
  GPtrArray *dirs;
} Extract;

static int
openat2_beneath (int dirfd, const char *path, int oflags)
{
  struct open_how how = {
    .flags = oflags | O_CLOEXEC,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  return syscall (SYS_openat2, dirfd, path, &how, sizeof how);
}

/* "ARCHIVE: entry 'PATH': message", returning FALSE (lib/error.h). */
#define entry_error(x, error, path, fmt, ...)                                                      \
  gerror_set (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: entry '%s': " fmt, (x)->what, path,  \
              ##__VA_ARGS__)

/* "./a//b/" -> "a/b"; rejects absolute paths and ".." components instead of
 * rewriting them: an archive that has them is hostile or broken. */
static char *
clean_path (Extract *x, const char *entry, const char *path, GError **error)
{
  const char *what = entry == path ? "" : "hard link target ";
  if (path == NULL || path[0] == '/')
    {
      entry_error (x, error, entry ? entry : "", "%sabsolute path, refusing to unpack", what);
      return NULL;
    }
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  GString *out = g_string_new (NULL);
  for (char **p = parts; *p; p++)
    {
      if (**p == '\0' || strcmp (*p, ".") == 0)
        continue;
      if (strcmp (*p, "..") == 0)
        {
          g_string_free (out, TRUE);
          entry_error (x, error, entry,
                       "%s'..' component would leave the layer, refusing to unpack", what);
          return NULL;
        }
      if (out->len)
        g_string_append_c (out, '/');
      g_string_append (out, *p);
    }
  return g_string_free (out, FALSE);
}

static void
forget_parent (Extract *x)
{
  if (x->parent_fd >= 0)
    close (x->parent_fd);
  x->parent_fd = -1;
  g_clear_pointer (&x->parent_path, g_free);
}

/* Opens directory DIR (clean, relative) under the root, creating missing
 * components; never through a symlink. Returns a new fd. */
static int
open_dir (Extract *x, const char *dir, const char *entry, GError **error)
{
  if (*dir == '\0')
    return dup (x->rootfd);
  int fd = openat2_beneath (x->rootfd, dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0)
    return fd;
  if (errno == ENOENT)
    {
      /* Tarballs may omit directory entries: create them one by one. */
      g_auto (GStrv) parts = g_strsplit (dir, "/", -1);
      fd = dup (x->rootfd);
      for (char **p = parts; *p && fd >= 0; p++)
        {
          if (mkdirat (fd, *p, 0755) < 0 && errno != EEXIST)
            break;
          int nfd = openat2_beneath (fd, *p, O_RDONLY | O_DIRECTORY);
          int e = errno;
          close (fd);
          fd = nfd;
          errno = e;
        }
      if (fd >= 0)
        return fd;
    }
  if (errno == ELOOP || errno == EXDEV)
    entry_error (x, error, entry, "parent '%s' is a symlink, refusing to unpack through it", dir);
  else if (errno == ENOTDIR)
    entry_error (x, error, entry, "parent '%s' is not a directory", dir);
  else
    entry_error (x, error, entry, "cannot open parent '%s': %s", dir, g_strerror (errno));
  return -1;
}

static int
get_parent (Extract *x, const char *dir, const char *entry, GError **error)
{
  if (x->parent_path && strcmp (x->parent_path, dir) == 0)
    return x->parent_fd;
  forget_parent (x);
  int fd = open_dir (x, dir, entry, error);
  if (fd < 0)
    return -1;
  x->parent_fd = fd;
  x->parent_path = g_strdup (dir);
  return fd;
}

static void
split_path (const char *path, char **dir, const char **base)
{
  const char *slash = strrchr (path, '/');
  *dir = slash ? g_strndup (path, slash - path) : g_strdup ("");
  *base = slash ? slash + 1 : path;
}

/* Makes room for a new entry NAME: tar semantics, the later entry wins. */
static gboolean
remove_existing (Extract *x, int pfd, const char *name, gboolean keep_dir, const char *entry,
                 GError **error)
{
  struct stat st;
  if (fstatat (pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return TRUE;
  if (S_ISDIR (st.st_mode))
    {
      if (keep_dir)
        return TRUE;
      g_autoptr (GError) local = NULL;
      if (!fs_rm_rf_at (pfd, name, &local))
        return entry_error (x, error, entry, "%s", local->message);
      /* The cached parent may have been inside the removed tree (pfd itself
       * is the entry's parent, still there: closing it first made the
       * removal fail with EBADF). */
      if (x->parent_fd != pfd)
        forget_parent (x);
      return TRUE;
    }
  if (unlinkat (pfd, name, 0) < 0)
    return entry_error (x, error, entry, "cannot replace: %s", g_strerror (errno));
  return TRUE;
}

static void
set_xattrs (Extract *x, int fd, struct archive_entry *e)
{
  const char *name;
  const void *value;
  size_t size;
  archive_entry_xattr_reset (e);
  while (archive_entry_xattr_next (e, &name, &value, &size) == ARCHIVE_OK)
    {
      /* The layer's own overlay metadata is never trusted from a tarball. */
      if (g_str_has_prefix (name, "trusted.overlay.") || g_str_has_prefix (name, "user.overlay."))
        continue;
      if (!x->chown && g_str_has_prefix (name, "trusted."))
        continue;
      /* Best effort, as podman: file systems without xattrs still unpack. */
      (void)fsetxattr (fd, name, value, size, 0);
    }
}

static gboolean
needs_chown (Extract *x, struct archive_entry *e)
{
  return x->chown
         && (archive_entry_uid (e) != x->euid || archive_entry_gid (e) != x->egid
             || x->setgid_root);
}

/* Owner, mode, xattrs and mtime of an open file or directory. */
static void
apply_metadata (Extract *x, int fd, struct archive_entry *e)
{
  struct timespec ts[2] = {
    { archive_entry_mtime (e), archive_entry_mtime_nsec (e) },
    { archive_entry_mtime (e), archive_entry_mtime_nsec (e) },
  };
  if (needs_chown (x, e))
    (void)fchown (fd, archive_entry_uid (e), archive_entry_gid (e));
  fchmod (fd, archive_entry_perm (e)); /* after chown, which clears set-id bits */
  set_xattrs (x, fd, e);
  futimens (fd, ts);
}

static void
set_times_at (int pfd, const char *name, struct archive_entry *e)
{
  struct timespec ts[2] = {
    { archive_entry_mtime (e), archive_entry_mtime_nsec (e) },
    { archive_entry_mtime (e), archive_entry_mtime_nsec (e) },
  };
  utimensat (pfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static gboolean
write_file (Extract *x, struct archive *a, struct archive_entry *e, int pfd, const char *name,
            const char *entry, GError **error)
{
  const int oflags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  autofd int fd = openat (pfd, name, oflags, 0600);
  if (fd < 0 && errno == EEXIST)
    {
      if (!remove_existing (x, pfd, name, FALSE, entry, error))
        return FALSE;
      fd = openat (pfd, name, oflags, 0600);
    }
  if (fd < 0)
    return entry_error (x, error, entry, "cannot create: %s", g_strerror (errno));

  const void *buf;
  size_t len;
  la_int64_t off, end = 0;
  int r;
  while ((r = archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK)
    {
      const char *p = buf;
      end = off + len;
      while (len > 0)
        {
          ssize_t n = pwrite (fd, p, len, off);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return entry_error (x, error, entry, "cannot write: %s", g_strerror (errno));
          p += n;
          off += n;
          len -= n;
        }
    }
  if (r != ARCHIVE_EOF)
    return FALSE; /* the caller reports the archive's error */
  /* A sparse file may end in a hole. */
  if (end < archive_entry_size (e) && ftruncate (fd, archive_entry_size (e)) < 0)
    return entry_error (x, error, entry, "cannot write: %s", g_strerror (errno));
  apply_metadata (x, fd, e);
  /* The disk starts on it now, while the rest unpacks: the store's commit
   * then only waits for it (store.c, txn_sync_staged). */
  sync_file_range (fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  return TRUE;
}

static gboolean
write_whiteout (Extract *x, int pfd, const char *name, const char *entry, GError **error)
{
  const char *victim = name + strlen (".wh.");
  if (strcmp (name, ".wh..wh..opq") == 0)
    {
      /* Both names: overlayfs reads trusted.* when mounted by root and
       * user.* when mounted in a user namespace ("userxattr", rootless or
       * a container with its own maps); only root may set trusted.*. */
      gboolean t = fsetxattr (pfd, "trusted.overlay.opaque", "y", 1, 0) == 0;
      if (fsetxattr (pfd, "user.overlay.opaque", "y", 1, 0) < 0 && !t)
        return entry_error (x, error, entry, "cannot mark directory opaque: %s",
                            g_strerror (errno));
      return TRUE;
    }
  if (g_str_has_prefix (name, ".wh..wh."))
    return TRUE; /* aufs bookkeeping (.wh..wh.plnk …): nothing to do */
  /* ".wh..." would whiteout "..": the directory holding the layer. */
  if (*victim == '\0' || strcmp (victim, ".") == 0 || strcmp (victim, "..") == 0)
    return entry_error (x, error, entry, "whiteout of '%s' is not allowed", victim);
  if (!remove_existing (x, pfd, victim, FALSE, entry, error))
    return FALSE;
  if (mknodat (pfd, victim, S_IFCHR | 0000, makedev (0, 0)) < 0)
    return entry_error (x, error, entry, "cannot create whiteout: %s", g_strerror (errno));
  return TRUE;
}

static gboolean
extract_entry (Extract *x, struct archive *a, struct archive_entry *e, GError **error)
{
  const char *raw = archive_entry_pathname (e);
  g_autofree char *path = clean_path (x, raw, raw, error);
  if (path == NULL)
    return FALSE;
  mode_t type = archive_entry_filetype (e);
  if (*path == '\0')
    {
      if (type == AE_IFDIR)
        g_ptr_array_add (x->dirs, archive_entry_clone (e));
      return TRUE;
    }

  g_autofree char *dir = NULL;
  const char *name;
  split_path (path, &dir, &name);
  int pfd = get_parent (x, dir, raw, error);
  if (pfd < 0)
    return FALSE;

  if (g_str_has_prefix (name, ".wh.") && !(x->flags & LAYER_OCI_WHITEOUTS))
    return write_whiteout (x, pfd, name, raw, error);

  const char *hardlink = archive_entry_hardlink (e);
  if (hardlink != NULL)
    {
      g_autofree char *target = clean_path (x, raw, hardlink, error);
      if (target == NULL)
        return FALSE;
      g_autofree char *tdir = NULL;
      const char *tname;
      split_path (target, &tdir, &tname);
      autofd int tfd = open_dir (x, tdir, raw, error);
      if (tfd < 0)
        return FALSE;
      int r = linkat (tfd, tname, pfd, name, 0);
      if (r < 0 && errno == EEXIST)
        {
          if (!remove_existing (x, pfd, name, FALSE, raw, error))
            return FALSE;
          r = linkat (tfd, tname, pfd, name, 0);
        }
      if (r < 0)
        return entry_error (x, error, raw, "cannot link to '%s': %s", hardlink, g_strerror (errno));
      return TRUE;
    }

  /* Create first; only when the name exists (rare in a fresh layer) make
   * room for it: the later entry wins, as in tar. */
  int r;
  switch (type)
    {
    case AE_IFREG:
      return write_file (x, a, e, pfd, name, raw, error);
    case AE_IFDIR:
      r = mkdirat (pfd, name, 0700);
      if (r < 0 && errno == EEXIST)
        {
          if (!remove_existing (x, pfd, name, TRUE, raw, error))
            return FALSE;
          r = mkdirat (pfd, name, 0700);
          if (r < 0 && errno == EEXIST)
            r = 0; /* an existing directory stays */
        }
      if (r < 0)
        return entry_error (x, error, raw, "cannot create directory: %s", g_strerror (errno));
      g_ptr_array_add (x->dirs, archive_entry_clone (e));
      return TRUE;
    case AE_IFLNK:
      {
        const char *target = archive_entry_symlink (e) ?: "";
        r = symlinkat (target, pfd, name);
        if (r < 0 && errno == EEXIST)
          {
            if (!remove_existing (x, pfd, name, FALSE, raw, error))
              return FALSE;
            r = symlinkat (target, pfd, name);
          }
        if (r < 0)
          return entry_error (x, error, raw, "cannot create symlink: %s", g_strerror (errno));
        break;
      }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      if (type != AE_IFIFO && !x->chown)
        return TRUE; /* rootless: device nodes cannot be made, skip as podman does */
      r = mknodat (pfd, name, type | archive_entry_perm (e), archive_entry_rdev (e));
      if (r < 0 && errno == EEXIST)
        {
          if (!remove_existing (x, pfd, name, FALSE, raw, error))
            return FALSE;
          r = mknodat (pfd, name, type | archive_entry_perm (e), archive_entry_rdev (e));
        }
      if (r < 0)
        return entry_error (x, error, raw, "cannot create device: %s", g_strerror (errno));
      fchmodat (pfd, name, archive_entry_perm (e), 0);
      break;
    default:
      return TRUE; /* sockets and unknown types carry nothing to unpack */
    }
  if (needs_chown (x, e))
    (void)fchownat (pfd, name, archive_entry_uid (e), archive_entry_gid (e), AT_SYMLINK_NOFOLLOW);
  set_times_at (pfd, name, e);
  return TRUE;
}

/* Directory metadata last, deepest first, so children do not bump mtimes. */
static void
finish_dirs (Extract *x)
{
  forget_parent (x);
  for (guint i = x->dirs->len; i-- > 0;)
    {
      struct archive_entry *e = x->dirs->pdata[i];
      const char *name = archive_entry_pathname (e);
      g_autofree char *path = clean_path (x, name, name, NULL);
      autofd int fd = openat2_beneath (x->rootfd, *path ? path : ".", O_RDONLY | O_DIRECTORY);
      if (fd < 0)
        continue; /* replaced by a later entry */
      apply_metadata (x, fd, e);
    }
}

/* Fills one chunk from the decompressor; TRUE at the end of the stream. */
static gboolean
produce_chunk (Stream *st, Chunk *c, const char **pend, size_t *pend_len)
{
  c->len = 0;
  while (c->len < CHUNK_SIZE)
    {
      if (*pend_len == 0)
        {
          const void *buf;
          size_t len;
          la_int64_t off;
          if (g_atomic_int_get (&st->stop))
            return TRUE;
          int r = archive_read_data_block (st->raw, &buf, &len, &off);
          if (r == ARCHIVE_EOF)
            return TRUE;
          if (r < ARCHIVE_WARN)
            {
              const char *msg = archive_error_string (st->raw);
              st->error = g_strdup (msg ? msg : "read error");
              return TRUE;
            }
          sha256_update (st->hash, buf, len);
          st->size += len;
          *pend = buf;
          *pend_len = len;
        }
      size_t n = MIN (*pend_len, CHUNK_SIZE - c->len);
      memcpy (c->data + c->len, *pend, n);
      c->len += n;
      *pend += n;
      *pend_len -= n;
    }
  return FALSE;
}

static gpointer
produce (gpointer data)
{
  Stream *st = data;
  const char *pend = NULL;
  size_t pend_len = 0;
  gboolean end = FALSE;
  while (!end)
    {
      Chunk *c = g_async_queue_pop (st->empty);
      end = produce_chunk (st, c, &pend, &pend_len);
      g_async_queue_push (st->full, c);
      if (end && c->len > 0)
        {
          Chunk *e = g_async_queue_pop (st->empty);
          e->len = 0;
          g_async_queue_push (st->full, e);
        }
    }
  return NULL;
}

/* Layers unpacking in this process now. */
static gint unpacking;

static void
stream_start (Stream *st)
{
  st->full = g_async_queue_new ();
  st->empty = g_async_queue_new ();
  for (guint i = 0; i < CHUNKS; i++)
    {
      st->chunks[i].data = g_malloc (CHUNK_SIZE);
      g_async_queue_push (st->empty, &st->chunks[i]);
    }
  st->thread = g_thread_new ("layer-inflate", produce, st);
}

/* Inline: the decompressor's own block, valid until the next call. */
static la_ssize_t
stream_read_inline (struct archive *a, Stream *st, const void **buf)
{
  size_t len;
  la_int64_t off;
  int r = archive_read_data_block (st->raw, buf, &len, &off);
  if (r == ARCHIVE_EOF)
    {
      st->done = TRUE;
      return 0;
    }
  if (r < ARCHIVE_WARN)
    {
      const char *msg = archive_error_string (st->raw);
      st->done = TRUE;
      st->error = g_strdup (msg ? msg : "read error");
      archive_set_error (a, EIO, "%s", st->error);
      return -1;
    }
  sha256_update (st->hash, *buf, len);
  st->size += len;
  return len;
}

static la_ssize_t
stream_read (struct archive *a, void *data, const void **buf)
{
  Stream *st = data;
  if (st->thread == NULL && !st->done)
    {
      if ((guint)g_atomic_int_get (&unpacking) >= g_get_num_processors ())
        return stream_read_inline (a, st, buf);
      stream_start (st); /* a CPU is free: the rest on two */
    }
  if (st->current)
    g_async_queue_push (st->empty, g_steal_pointer (&st->current));
  if (st->done)
    return 0;
  Chunk *c = g_async_queue_pop (st->full);
  if (c->len == 0)
    {
      st->done = TRUE;
      g_async_queue_push (st->empty, c);
      if (st->error)
        {
          if (a)
            archive_set_error (a, EIO, "%s", st->error);
          return -1;
        }
      return 0;
    }
  st->current = c;
  *buf = c->data;
  return c->len;
}

/* Stops the producer (early, after an error) and waits for it. */
static void
stream_finish (Stream *st)
{
  const void *buf;
  g_atomic_int_add (&unpacking, -1);
  if (st->thread == NULL)
    return;
  g_atomic_int_set (&st->stop, 1);
  while (!st->done)
    stream_read (NULL, st, &buf);
  if (st->current)
    g_async_queue_push (st->empty, g_steal_pointer (&st->current));
  g_thread_join (st->thread);
  for (guint i = 0; i < CHUNKS; i++)
    g_free (st->chunks[i].data);
  g_async_queue_unref (st->full);
  g_async_queue_unref (st->empty);
}

/* Opens the (compressed) blob in FD for RAW.  A regular file is mapped:
 * libarchive then inflates straight from the page cache instead of read()
 * copying every compressed byte first (~6% of an unpack). *MAP is for
 * unmap_blob. */
static int
open_blob (struct archive *raw, int fd, void **map, size_t *map_len)
{
  struct stat st;
  *map = NULL;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0)
    {
      void *m = mmap (NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (m != MAP_FAILED)
        {
          madvise (m, st.st_size, MADV_SEQUENTIAL);
          *map = m;
          *map_len = st.st_size;
          return archive_read_open_memory (raw, m, st.st_size);
        }
    }
  return archive_read_open_fd (raw, fd, READ_BLOCK);
}

static void
unmap_blob (void *map, size_t map_len)
{
  if (map)
    munmap (map, map_len);
}

static gboolean
archive_failed (Stream *st, struct archive *tar, const char *what, GError **error)
{
  /* The producer's error is ours to read only once its end chunk arrived. */
  const char *msg = st->done && st->error ? st->error : archive_error_string (tar);
  g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: broken archive: %s", what,
               msg ? msg : "unknown error");
  return FALSE;
}

gboolean
layer_unpack (int fd, const char *dest, LayerFlags flags, const char *what, char **diff_id_hex,
              guint64 *size, GError **error)
{
  g_autoptr (ArchiveRead) raw = archive_read_new ();
  g_autoptr (ArchiveRead) tar = archive_read_new ();
  g_autoptr (Sha256) hash = sha256_new ();
  Stream st = { .raw = raw, .hash = hash };
  struct archive_entry *e;
  gboolean ok = TRUE;
  int r;

  archive_read_support_filter_gzip (raw);
  archive_read_support_filter_zstd (raw);
  archive_read_support_format_raw (raw);
  void *map;
  size_t map_len = 0;
  if (open_blob (raw, fd, &map, &map_len) != ARCHIVE_OK
      || archive_read_next_header (raw, &e) != ARCHIVE_OK)
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: cannot read: %s", what,
                   archive_error_string (raw));
      unmap_blob (map, map_len);
      return FALSE;
    }
  archive_read_support_format_tar (tar);
  g_atomic_int_inc (&unpacking); /* until stream_finish */
  if (archive_read_open (tar, &st, NULL, stream_read, NULL) != ARCHIVE_OK)
    {
      archive_failed (&st, tar, what, error);
      stream_finish (&st);
      g_free (st.error);
      unmap_blob (map, map_len);
      return FALSE;
    }

  Extract x = {
    .flags = flags,
    .chown = geteuid () == 0 && !(flags & LAYER_OCI_WHITEOUTS),
    .euid = geteuid (),
    .egid = getegid (),
    .what = what,
    .parent_fd = -1,
    .dirs = g_ptr_array_new_with_free_func ((GDestroyNotify)archive_entry_free),
  };
  x.rootfd = open (dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat rst;
  x.setgid_root = x.rootfd >= 0 && fstat (x.rootfd, &rst) == 0 && (rst.st_mode & S_ISGID);
  if (x.rootfd < 0)
    {
      g_ptr_array_unref (x.dirs);
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot open %s", dest);
      stream_finish (&st);
      g_free (st.error);
      unmap_blob (map, map_len);
      return FALSE;
    }

  while (ok && (r = archive_read_next_header (tar, &e)) != ARCHIVE_EOF)
    {
      if (r < ARCHIVE_WARN)
        ok = archive_failed (&st, tar, what, error);
      else
        {
          g_autoptr (GError) local = NULL;
          ok = extract_entry (&x, tar, e, &local);
          if (!ok)
            {
              if (local)
                g_propagate_error (error, g_steal_pointer (&local));
              else
                archive_failed (&st, tar, what, error);
            }
        }
    }
  if (ok)
    {
      /* The diff id covers the whole stream, including the padding after
       * the end-of-archive blocks the tar reader stops at. */
      const void *buf;
      while ((buf = NULL, r = stream_read (tar, &st, &buf)) > 0)
        ;
      if (r < 0)
        ok = archive_failed (&st, tar, what, error);
    }
  stream_finish (&st);
  unmap_blob (map, map_len);
  if (ok)
    finish_dirs (&x);
  forget_parent (&x);
  if (ok && !(flags & LAYER_NO_SYNC) && syncfs (x.rootfd) < 0)
    {
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot sync %s", dest);
      ok = FALSE;
    }
  close (x.rootfd);
  g_ptr_array_unref (x.dirs);
  g_free (st.error);
  if (!ok)
    return FALSE;
  if (diff_id_hex)
    *diff_id_hex = sha256_finish_hex (hash);
  if (size)
    *size = st.size;
  return TRUE;
}

gboolean
layer_digest (int fd, const char *what, char **diff_id_hex, guint64 *size, GError **error)
{
  g_autoptr (ArchiveRead) raw = archive_read_new ();
  g_autoptr (Sha256) hash = sha256_new ();
  struct archive_entry *e;
  const void *buf;
  size_t len;
  la_int64_t off;
  guint64 total = 0;
  int r;

  archive_read_support_filter_gzip (raw);
  archive_read_support_filter_zstd (raw);
  archive_read_support_format_raw (raw);
  void *map;
  size_t map_len = 0;
  if (open_blob (raw, fd, &map, &map_len) == ARCHIVE_OK
      && archive_read_next_header (raw, &e) == ARCHIVE_OK)
    while ((r = archive_read_data_block (raw, &buf, &len, &off)) == ARCHIVE_OK)
      {
        sha256_update (hash, buf, len);
        total += len;
      }
  else
    r = ARCHIVE_FATAL;
  unmap_blob (map, map_len);
  if (r != ARCHIVE_EOF)
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: broken archive: %s", what,
                   archive_error_string (raw) ?: "read error");
      return FALSE;
    }
  *diff_id_hex = sha256_finish_hex (hash);
  if (size)
    *size = total;
  return TRUE;
}

/* Packing (commit): a sorted walk, so the same upper dir always gives the
 * same tarball and diff id. */
typedef struct
{
  int fd;
  Sha256 *hash;
  guint64 size;
  struct archive *tar;
  struct archive_entry_linkresolver *links;
  const char *dir;
} Pack;

static la_ssize_t
sink_write (struct archive *a, void *data, const void *buf, size_t len)
{
  Pack *p = data;
  if (fd_write_all (p->fd, buf, len) < 0)
    {
      archive_set_error (a, errno, "write: %s", g_strerror (errno));
      return -1;
    }
  sha256_update (p->hash, buf, len);
  p->size += len;
  return len;
}

static gboolean
pack_failed (Pack *p, const char *path, GError **error)
{
  g_set_error (error, STORE_ERROR, STORE_ERROR_IO, "cannot pack %s/%s: %s", p->dir, path,
               archive_error_string (p->tar) ?: g_strerror (errno));
  return FALSE;
}

/* Copies xattrs except overlay's own; returns whether the dir is opaque. */
static gboolean
copy_xattrs (int fd, struct archive_entry *e)
{
  char names[8192];
  gboolean opaque = FALSE;
  ssize_t n = flistxattr (fd, names, sizeof names);
  for (ssize_t i = 0; n > 0 && i < n; i += strlen (names + i) + 1)
    {
      const char *name = names + i;
      char value[4096];
      ssize_t vlen = fgetxattr (fd, name, value, sizeof value);
      if (vlen < 0)
        continue;
      if (g_str_has_suffix (name, ".overlay.opaque"))
        opaque = opaque || (vlen == 1 && value[0] == 'y');
      else if (!g_str_has_prefix (name, "trusted.overlay.")
               && !g_str_has_prefix (name, "user.overlay."))
        archive_entry_xattr_add_entry (e, name, value, vlen);
    }
  return opaque;
}

static gboolean
write_entry (Pack *p, struct archive_entry *e, int fd, const char *rel, GError **error)
{
  struct archive_entry *spare = NULL;
  archive_entry_linkify (p->links, &e, &spare);
  if (e && archive_write_header (p->tar, e) < ARCHIVE_WARN)
    return pack_failed (p, rel, error);
  if (e && fd >= 0 && archive_entry_size (e) > 0 && archive_entry_hardlink (e) == NULL)
    {
      static char buf[1 << 17];
      ssize_t n;
      while ((n = read (fd, buf, sizeof buf)) > 0)
        if (archive_write_data (p->tar, buf, n) < 0)
          return pack_failed (p, rel, error);
      if (n < 0)
        return pack_failed (p, rel, error);
    }
  return TRUE;
}

static gboolean
pack_entry (int dirfd, const char *name, const char *rel, const struct stat *stp, gboolean post,
            gpointer data, GError **error)
{
  Pack *p = data;
  struct stat st = *stp;
  if (post)
    return TRUE;

  struct archive_entry *e = archive_entry_new ();
  archive_entry_copy_stat (e, &st);
  archive_entry_unset_atime (e);
  archive_entry_unset_ctime (e);
  archive_entry_unset_birthtime (e);
  autofd int fd = -1;
  gboolean opaque = FALSE;
  if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
    {
      /* overlay whiteout -> OCI ".wh.NAME" */
      gsize dirlen = strlen (rel) - strlen (name);
      g_autofree char *wh = g_strdup_printf ("%.*s.wh.%s", (int) dirlen, rel, name);
      archive_entry_set_pathname (e, wh);
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_perm (e, 0);
      archive_entry_set_size (e, 0);
      archive_entry_set_rdev (e, 0);
      archive_entry_set_nlink (e, 1);
    }
  else
    {
      archive_entry_set_pathname (e, rel);
      if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX + 1];
          ssize_t n = readlinkat (dirfd, name, target, PATH_MAX);
          if (n < 0)
            {
              archive_entry_free (e);
              return pack_failed (p, rel, error);
            }
          target[n] = '\0';
          archive_entry_set_symlink (e, target);
        }
      else if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
        {
          fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          if (fd < 0)
            {
              archive_entry_free (e);
              return pack_failed (p, rel, error);
            }
          opaque = copy_xattrs (fd, e);
        }
    }
  gboolean ok = write_entry (p, e, fd, rel, error);
  archive_entry_free (e);
  if (ok && opaque)
    {
      g_autofree char *opq = g_strconcat (rel, "/.wh..wh..opq", NULL);
      struct archive_entry *oe = archive_entry_new ();
      archive_entry_set_pathname (oe, opq);
      archive_entry_set_filetype (oe, AE_IFREG);
      archive_entry_set_perm (oe, 0);
      archive_entry_set_size (oe, 0);
      archive_entry_set_mtime (oe, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
      ok = write_entry (p, oe, -1, opq, error);
      archive_entry_free (oe);
    }
  return ok;
}

gboolean
layer_pack (const char *dir, int out_fd, char **digest_hex, guint64 *size, GError **error)
{
  g_autoptr (Sha256) hash = sha256_new ();
  Pack p = { .fd = out_fd, .hash = hash, .dir = dir };
  autofd int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean ok;

  if (dfd < 0)
    {
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot open %s", dir);
      return FALSE;
    }
  p.tar = archive_write_new ();
  p.links = archive_entry_linkresolver_new ();
  archive_entry_linkresolver_set_strategy (p.links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  archive_write_set_format_pax_restricted (p.tar);
  archive_write_add_filter_none (p.tar);
  archive_write_set_bytes_in_last_block (p.tar, 1);
  ok = archive_write_open (p.tar, &p, NULL, sink_write, NULL) == ARCHIVE_OK;
  if (!ok)
    pack_failed (&p, "", error);
  ok = ok && fs_walk (dfd, dir, TRUE, pack_entry, &p, error);
  if (ok && archive_write_close (p.tar) != ARCHIVE_OK)
    ok = pack_failed (&p, "", error);
  archive_entry_linkresolver_free (p.links);
  archive_write_free (p.tar);
  if (!ok)
    return FALSE;
  if (digest_hex)
    *digest_hex = sha256_finish_hex (hash);
  if (size)
    *size = p.size;
  return TRUE;
}

gboolean
layer_gzip (int in_fd, int out_fd, char **digest_hex, guint64 *size, GError **error)
{
  g_autoptr (Sha256) hash = sha256_new ();
  Pack p = { .fd = out_fd, .hash = hash, .dir = "gzip" };
  p.tar = archive_write_new ();
  archive_write_add_filter_gzip (p.tar);
  archive_write_set_format_raw (p.tar);
  archive_write_set_bytes_in_last_block (p.tar, 1); /* no padding after the gzip stream */
  gboolean ok = archive_write_set_filter_option (p.tar, "gzip", "timestamp", NULL) == ARCHIVE_OK
                && archive_write_open (p.tar, &p, NULL, sink_write, NULL) == ARCHIVE_OK;
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_pathname (e, "layer.tar");
  ok = ok && archive_write_header (p.tar, e) == ARCHIVE_OK;
  archive_entry_free (e);
  g_autofree char *buf = g_malloc (1 << 17);
  ssize_t n = 0;
  while (ok && (n = read (in_fd, buf, 1 << 17)) > 0)
    ok = archive_write_data (p.tar, buf, n) == n;
  ok = ok && n == 0 && archive_write_close (p.tar) == ARCHIVE_OK;
  if (!ok)
    g_set_error (error, STORE_ERROR, STORE_ERROR_IO, "cannot compress the layer: %s",
                 n < 0 ? g_strerror (errno) : archive_error_string (p.tar) ?: "write error");
  archive_write_free (p.tar);
  if (!ok)
    return FALSE;
  *digest_hex = sha256_finish_hex (hash);
  *size = p.size;
  return TRUE;
}
