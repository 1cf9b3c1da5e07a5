/* SPDX-License-Identifier: Apache-2.0 */
/* Output of the generator. Units appear complete or not at all, because
 * systemd may read the output directory while another run writes it
 * (Quadlet truncates in place, podman issue #29004): each is written to an
 * unnamed O_TMPFILE and linked in (linkat(2) fails rather than replace, so
 * a unit already there gets a temporary name and rename(2)); where
 * O_TMPFILE or linking it is not possible, through a named temporary file
 * and rename(2). The [Install] section is applied here with symlinks,
 * since "systemctl enable" does not work for generated units. */
#include "emit.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The umask, read once by emit_init(): units must be world-readable, and
 * only a umask that masks some of 0644 needs an fchmod per unit (until
 * emit_init() runs, every unit gets one). */
static mode_t saved_umask = 0777;
/* Names temporary files; getpid() is a system call each time. */
static int pid;

/* How an O_TMPFILE is linked in: untried, with AT_EMPTY_PATH (needs
 * CAP_DAC_READ_SEARCH), through /proc/self/fd (any user, needs /proc), or
 * not at all (no O_TMPFILE on this file system): then named temporaries. */
enum { LINK_UNTRIED, LINK_EMPTY_PATH, LINK_PROC, LINK_NONE };
static gint link_mode = LINK_UNTRIED;

void
emit_init (void)
{
  saved_umask = umask (022);
  umask (saved_umask);
  pid = (int) getpid ();
}

int
emit_open_dir (const char *outdir)
{
  return open (outdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static gint tmp_counter;

static void
temporary_name (char **tmp_name, const char *name)
{
  g_free (*tmp_name);
  *tmp_name = g_strdup_printf (".%s.%d-%d", name, pid ? pid : (int) getpid (),
                               g_atomic_int_add (&tmp_counter, 1));
}

/* Creates a new file NAME.N (N counting up from this process's id) in
 * @dirfd: O_EXCL makes it ours, and no random name needs a lock. */
static int
create_temporary (int dirfd, const char *name, char **tmp_name)
{
  for (int attempt = 0; attempt < 100; attempt++)
    {
      int fd;
      temporary_name (tmp_name, name);
      fd = openat (dirfd, *tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0 || errno != EEXIST)
        return fd;
    }
  return -1;
}

/* Gives the O_TMPFILE @fd the name @name in @dirfd (which must not exist):
 * 0, or -1 with errno. Finds out once which way works. */
static int
link_tmpfile (int fd, int dirfd, const char *name)
{
  char proc[64];
  int mode = g_atomic_int_get (&link_mode);

  if (mode != LINK_PROC)
    {
      if (linkat (fd, "", dirfd, name, AT_EMPTY_PATH) == 0)
        {
          if (mode == LINK_UNTRIED)
            g_atomic_int_set (&link_mode, LINK_EMPTY_PATH);
          return 0;
        }
      if (errno != ENOENT && errno != EPERM)
        return -1;
    }
  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
    {
      g_atomic_int_set (&link_mode, LINK_PROC);
      return 0;
    }
  if (errno != EEXIST)
    g_atomic_int_set (&link_mode, LINK_NONE);
  return -1;
}

/* @text in a new O_TMPFILE of @dirfd: its fd, or -1 when the caller must
 * use a named temporary. */
static int
tmpfile_with (int dirfd, const char *text, gsize len)
{
  int fd;

  if (g_atomic_int_get (&link_mode) == LINK_NONE)
    return -1;
  fd = openat (dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      if (errno == EISDIR || errno == EOPNOTSUPP || errno == EINVAL)
        g_atomic_int_set (&link_mode, LINK_NONE);
      return -1;
    }
  if (fd_write_all (fd, text, len) < 0 || ((saved_umask & 0644) != 0 && fchmod (fd, 0644) < 0))
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Gives the O_TMPFILE @fd the name @name, replacing a unit there
 * atomically (a temporary name, then rename): TRUE when done, FALSE
 * (nothing left behind) when the caller must use a named temporary. */
static gboolean
link_as (int fd, int dirfd, const char *name)
{
  g_autofree char *tmp = NULL;
  int r = link_tmpfile (fd, dirfd, name);

  if (r < 0 && errno == EEXIST)
    {
      for (int attempt = 0; attempt < 100; attempt++)
        {
          temporary_name (&tmp, name);
          r = link_tmpfile (fd, dirfd, tmp);
          if (r == 0 || errno != EEXIST)
            break;
        }
      if (r == 0 && renameat (dirfd, tmp, dirfd, name) < 0)
        {
          unlinkat (dirfd, tmp, 0);
          r = -1;
        }
    }
  return r == 0;
}

static void
free_buffer (gpointer buffer)
{
  g_string_free (buffer, TRUE);
}

/* The text of @service in a buffer of the thread, reused for each unit. */
static GString *
service_text (UnitFile *service)
{
  static GPrivate buffer_key = G_PRIVATE_INIT (free_buffer);
  GString *buffer = g_private_get (&buffer_key);

  if (buffer == NULL)
    {
      buffer = g_string_sized_new (8192);
      g_private_set (&buffer_key, buffer);
    }
  g_string_truncate (buffer, 0);
  unit_file_append_to (service, buffer);
  return buffer;
}

/* Writes @service through a named temporary file and rename(2). */
static gboolean
write_via_rename (int dirfd, const char *outdir, UnitFile *service, GError **error)
{
  const char *name = unit_file_get_filename (service);
  GString *text = service_text (service);
  g_autofree char *tmp = NULL;
  int fd, saved;

  fd = create_temporary (dirfd, name, &tmp);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "creating a temporary file in %s: %s", outdir, g_strerror (saved));
      return FALSE;
    }
  /* No fsync: rename() already makes the switch atomic for readers, and
   * the output (on /run, a tmpfs) is regenerated at every boot and
   * daemon-reload, so durability buys nothing and costs a disk flush per
   * unit when the output is on disk. */
  if (fd_write_all (fd, text->str, text->len) < 0 ||
      ((saved_umask & 0644) != 0 && fchmod (fd, 0644) < 0))
    {
      saved = errno;
      close (fd);
      unlinkat (dirfd, tmp, 0);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "writing %s/%s: %s",
                   outdir, tmp, g_strerror (saved));
      return FALSE;
    }
  if (close (fd) < 0 || renameat (dirfd, tmp, dirfd, name) < 0)
    {
      saved = errno;
      unlinkat (dirfd, tmp, 0);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "writing %s/%s: %s",
                   outdir, name, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
emit_service_begin (int dirfd, const char *outdir, UnitFile *service, const char *header,
                    int *fd, GError **error)
{
  GString *text;

  if (header != NULL)
    {
      unit_file_prepend_comment (service, "", "");
      unit_file_prepend_comment (service, "", header);
    }
  text = service_text (service);
  *fd = tmpfile_with (dirfd, text->str, text->len);
  if (*fd >= 0)
    return TRUE;
  return write_via_rename (dirfd, outdir, service, error);
}

gboolean
emit_service_finish (int dirfd, const char *outdir, UnitFile *service, int fd, GError **error)
{
  gboolean linked;

  if (fd < 0)
    return TRUE; /* written already */
  linked = link_as (fd, dirfd, unit_file_get_filename (service));
  close (fd);
  return linked || write_via_rename (dirfd, outdir, service, error);
}

gboolean
emit_service_at (int dirfd, const char *outdir, UnitFile *service, const char *header,
                 GError **error)
{
  int fd;

  return emit_service_begin (dirfd, outdir, service, header, &fd, error) &&
         emit_service_finish (dirfd, outdir, service, fd, error);
}

gboolean
emit_service (const char *outdir, UnitFile *service, const char *header, GError **error)
{
  int dirfd = emit_open_dir (outdir);
  gboolean ok;

  if (dirfd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "creating a temporary file in %s: %s", outdir, g_strerror (saved));
      return FALSE;
    }
  ok = emit_service_at (dirfd, outdir, service, header, error);
  close (dirfd);
  return ok;
}

/* "a/b/c.service" -> "../../x.service": the link target relative to the
 * link's directory. NULL for paths that leave the output directory. */
static char *
relative_target (const char *link, const char *service_name)
{
  gsize depth = 0, n = strlen (service_name);
  const char *segment = link;
  char *target;

  /* One "../" per directory of the link ("a//b" has two). */
  for (const char *p = link; *p; p++)
    if (*p == '/')
      {
        if (p - segment == 2 && segment[0] == '.' && segment[1] == '.')
          return NULL;
        depth++;
        segment = p + 1;
      }
  target = g_malloc (depth * 3 + n + 1);
  for (gsize i = 0; i < depth; i++)
    memcpy (target + i * 3, "../", 3);
  memcpy (target + depth * 3, service_name, n + 1);
  return target;
}

/* mkdir -p of @rel's parent directories, relative to @dirfd. */
static gboolean
make_parents_at (int dirfd, const char *rel)
{
  g_autofree char *dir = g_strdup (rel);

  for (char *slash = strchr (dir, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
    {
      *slash = '\0';
      if (mkdirat (dirfd, dir, 0755) < 0 && errno != EEXIST)
        return FALSE;
      *slash = '/';
    }
  return TRUE;
}

static void
create_symlink (int dirfd, const char *outdir, const char *rel, const char *service_name,
                GPtrArray *problems)
{
  g_autofree char *target = relative_target (rel, service_name);

  if (g_path_is_absolute (rel) || target == NULL)
    {
      g_ptr_array_add (problems, g_strdup_printf ("Can't create symlink %s: not a relative path "
                                                  "inside the output directory", rel));
      return;
    }
  /* The common case first: the directory exists, the link does not. */
  if (symlinkat (target, dirfd, rel) == 0)
    return;
  if (errno == ENOENT && !make_parents_at (dirfd, rel))
    {
      int saved = errno;
      g_autofree char *path = g_build_filename (outdir, rel, NULL);
      g_autofree char *dir = g_path_get_dirname (path);
      g_ptr_array_add (problems, g_strdup_printf ("Can't create dir %s: %s", dir,
                                                  g_strerror (saved)));
      return;
    }
  if (errno == EEXIST)
    (void) unlinkat (dirfd, rel, 0); /* replace what an earlier run left */
  if (symlinkat (target, dirfd, rel) < 0)
    {
      int saved = errno;
      g_autofree char *path = g_build_filename (outdir, rel, NULL);
      g_ptr_array_add (problems, g_strdup_printf ("Failed creating symlink %s: %s", path,
                                                  g_strerror (saved)));
    }
}

void
emit_install_symlinks_at (int dirfd, const char *outdir, UnitFile *service,
                          GPtrArray *problems)
{
  static const struct {
    const char *key, *dir_suffix;
  } deps[] = {
    { "WantedBy", ".wants" },
    { "RequiredBy", ".requires" },
    { "UpheldBy", ".upholds" },
  };
  const char *name = unit_file_get_filename (service);
  g_auto (GStrv) aliases = unit_file_has_key (service, "Install", "Alias")
                             ? unit_file_lookup_all_strv (service, "Install", "Alias")
                             : NULL;
  g_autofree char *base = NULL, *instance = NULL, *installed = g_strdup (name);

  for (char **a = aliases; a != NULL && *a; a++)
    {
      g_autofree char *clean = g_canonicalize_filename (*a, "/");
      /* Keep it relative: canonicalize anchors at "/", strip that again. */
      create_symlink (dirfd, outdir, g_path_is_absolute (*a) ? clean : clean + 1, name, problems);
    }

  /* A bare template can only be installed as its DefaultInstance=. */
  if (strchr (name, '@') != NULL && unit_file_get_template_parts (service, &base, &instance) &&
      instance[0] == '\0')
    {
      g_autofree char *def = unit_file_lookup (service, "Install", "DefaultInstance");
      g_free (installed);
      installed = def ? g_strconcat (base, "@", def, strrchr (name, '.'), NULL) : NULL;
    }
  if (installed == NULL)
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (deps); i++)
    {
      g_auto (GStrv) units = NULL;
      if (!unit_file_has_key (service, "Install", deps[i].key))
        continue;
      units = unit_file_lookup_all_strv (service, "Install", deps[i].key);
      for (char **u = units; *u; u++)
        {
          g_autofree char *rel = NULL;
          if (strchr (*u, '/') != NULL) /* unit names only, not paths */
            continue;
          rel = g_strconcat (*u, deps[i].dir_suffix, "/", installed, NULL);
          create_symlink (dirfd, outdir, rel, name, problems);
        }
    }
}

void
emit_install_symlinks (const char *outdir, UnitFile *service, GPtrArray *problems)
{
  int dirfd = emit_open_dir (outdir);

  if (dirfd < 0)
    {
      g_ptr_array_add (problems, g_strdup_printf ("Can't open %s: %s", outdir,
                                                  g_strerror (errno)));
      return;
    }
  emit_install_symlinks_at (dirfd, outdir, service, problems);
  close (dirfd);
}

char *
emit_dry_run_text (UnitFile *service)
{
  g_autofree char *text = unit_file_to_string (service);
  return g_strdup_printf ("---%s---\n%s\n", unit_file_get_filename (service), text);
}

gboolean
emit_check_lines (UnitFile *service, GError **error)
{
  const char *key = NULL;
  gsize longest = unit_file_find_long_line (service, EMIT_MAX_LINE, NULL, &key);

  if (longest > 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "the generated %s= line is %zu bytes, longer than systemd reads (%d)",
                   key && g_utf8_validate (key, -1, NULL) && strlen (key) < 64 ? key : "?",
                   longest, EMIT_MAX_LINE);
      return FALSE;
    }
  return TRUE;
}
