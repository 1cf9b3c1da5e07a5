/* SPDX-License-Identifier: Apache-2.0 */
/* Output of the generator. Units appear complete or not at all, because
 * systemd may read the output directory while another run writes it
 * (Quadlet truncates in place, podman issue #29004): each is written to a
 * temporary file and renamed over its name (lib/fdio.c's
 * write_file_atomic). The [Install] section is applied here with
 * symlinks, since "systemctl enable" does not work for generated units. */
#include "emit.h"
#include "error.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
emit_open_dir (const char *outdir)
{
  return open (outdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

gboolean
emit_service_at (int dirfd, const char *outdir, UnitFile *service, const char *header,
                 GError **error)
{
  const char *name = unit_file_get_filename (service);
  g_autoptr (GString) text = g_string_sized_new (8192);
  int e;

  if (header != NULL)
    {
      unit_file_prepend_comment (service, "", "");
      unit_file_prepend_comment (service, "", header);
    }
  unit_file_append_to (service, text);
  /* No fsync: rename() already makes the switch atomic for readers, and
   * the output (on /run, a tmpfs) is regenerated at every boot and
   * daemon-reload, so durability buys nothing and costs a disk flush per
   * unit when the output is on disk. */
  if (write_file_atomic (dirfd, name, text->str, text->len, 0644, 0) == 0)
    return TRUE;
  e = errno;
  return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (e), e, "writing %s/%s", outdir,
                      name);
}

gboolean
emit_service (const char *outdir, UnitFile *service, const char *header, GError **error)
{
  autofd int dirfd = emit_open_dir (outdir);
  int e = errno;

  if (dirfd < 0)
    return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (e), e, "opening %s", outdir);
  return emit_service_at (dirfd, outdir, service, header, error);
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
