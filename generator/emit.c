/* SPDX-License-Identifier: Apache-2.0 */
/* Output of the generator. Units appear complete or not at all, because
 * systemd may read the output directory while another run writes it
 * (Quadlet truncates in place, podman issue #29004): each is written
 * unnamed and linked in, or to a temporary file renamed over its name
 * (lib/fdio.c's write_file_atomic with WRITE_NEW_NAME). The [Install] section is applied here with
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

char *
emit_service_text (UnitFile *service, const char *header, gsize *len)
{
  GString *text = g_string_sized_new (8192);

  if (header != NULL)
    {
      unit_file_prepend_comment (service, "", "");
      unit_file_prepend_comment (service, "", header);
    }
  unit_file_append_to (service, text);
  *len = text->len;
  /* Kept until it is written: only what it needs (shrinks in place). */
  return g_realloc (g_string_free (text, FALSE), *len + 1);
}

gboolean
emit_write_at (int dirfd, const char *outdir, const char *name, const char *text, gsize len,
               GError **error)
{
  int e;

  /* No fsync: rename() already makes the switch atomic for readers, and
   * the output (on /run, a tmpfs) is regenerated at every boot and
   * daemon-reload, so durability buys nothing and costs a disk flush per
   * unit when the output is on disk. */
  if (write_file_atomic (dirfd, name, text, len, 0644, WRITE_NEW_NAME) == 0)
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
  gsize len;
  g_autofree char *text = NULL;

  if (dirfd < 0)
    return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (e), e, "opening %s", outdir);
  text = emit_service_text (service, header, &len);
  return emit_write_at (dirfd, outdir, unit_file_get_filename (service), text, len, error);
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

void
emit_link_free (EmitLink *link)
{
  g_free (link->path);
  g_free (link->target);
  g_free (link);
}

/* The link @rel (inside the output directory) to @service_name, added to
 * @links; a path that leaves the directory is a problem instead. */
static void
add_link (GPtrArray *links, const char *rel, const char *service_name, GPtrArray *problems)
{
  char *target = relative_target (rel, service_name);
  EmitLink *link;

  if (g_path_is_absolute (rel) || target == NULL)
    {
      g_free (target);
      g_ptr_array_add (problems, g_strdup_printf ("Can't create symlink %s: not a relative path "
                                                  "inside the output directory", rel));
      return;
    }
  link = g_new (EmitLink, 1);
  link->path = g_strdup (rel);
  link->target = target;
  g_ptr_array_add (links, link);
}

GPtrArray *
emit_install_links (UnitFile *service, GPtrArray *problems)
{
  static const struct {
    const char *key, *dir_suffix;
  } deps[] = {
    { "WantedBy", ".wants" },
    { "RequiredBy", ".requires" },
    { "UpheldBy", ".upholds" },
  };
  GPtrArray *links = g_ptr_array_new_with_free_func ((GDestroyNotify) emit_link_free);
  const char *name = unit_file_get_filename (service);
  g_auto (GStrv) aliases = unit_file_has_key (service, "Install", "Alias")
                             ? unit_file_lookup_all_strv (service, "Install", "Alias")
                             : NULL;
  g_autofree char *base = NULL, *instance = NULL, *installed = g_strdup (name);

  for (char **a = aliases; a != NULL && *a; a++)
    {
      g_autofree char *clean = g_canonicalize_filename (*a, "/");
      /* Keep it relative: canonicalize anchors at "/", strip that again. */
      add_link (links, g_path_is_absolute (*a) ? clean : clean + 1, name, problems);
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
    return links;

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
          add_link (links, rel, name, problems);
        }
    }
  return links;
}

void
emit_link_at (int dirfd, const char *outdir, const EmitLink *link, GPtrArray *problems)
{
  /* The common case first: the directory exists, the link does not. */
  if (symlinkat (link->target, dirfd, link->path) == 0)
    return;
  if (errno == ENOENT && !make_parents_at (dirfd, link->path))
    {
      int saved = errno;
      g_autofree char *path = g_build_filename (outdir, link->path, NULL);
      g_autofree char *dir = g_path_get_dirname (path);
      g_ptr_array_add (problems, g_strdup_printf ("Can't create dir %s: %s", dir,
                                                  g_strerror (saved)));
      return;
    }
  if (errno == EEXIST)
    (void) unlinkat (dirfd, link->path, 0); /* replace what an earlier run left */
  if (symlinkat (link->target, dirfd, link->path) < 0)
    {
      int saved = errno;
      g_autofree char *path = g_build_filename (outdir, link->path, NULL);
      g_ptr_array_add (problems, g_strdup_printf ("Failed creating symlink %s: %s", path,
                                                  g_strerror (saved)));
    }
}

void
emit_install_symlinks (const char *outdir, UnitFile *service, GPtrArray *problems)
{
  g_autoptr (GPtrArray) links = emit_install_links (service, problems);
  autofd int dirfd = emit_open_dir (outdir);

  if (dirfd < 0)
    {
      g_ptr_array_add (problems, g_strdup_printf ("Can't open %s: %s", outdir,
                                                  g_strerror (errno)));
      return;
    }
  for (guint i = 0; i < links->len; i++)
    emit_link_at (dirfd, outdir, links->pdata[i], problems);
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
