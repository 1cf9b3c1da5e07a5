/* SPDX-License-Identifier: Apache-2.0 */
/* podunit-generator: the systemd generator (system and user, decided by the
 * program name or -user), command-line compatible with Quadlet's.
 *
 * load (unitdirs.c, drop-ins) -> unit-info pre-pass -> convert each file
 * (quadlet-*.c) -> write (emit.c). Unlike Quadlet, a file that fails to
 * parse or convert only loses itself: every other file is still generated,
 * and the exit status says something failed.
 *
 * Generators run very early (no /var, no syslog), so messages go to
 * /dev/kmsg, or to stderr when that is not writable or -no-kmsg-log. */
#include "config.h"
#include "emit.h"
#include "fdio.h"
#include "quadlet.h"
#include "unitdirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  gboolean verbose, no_kmsg, is_user, dry_run, version, validate;
  char **positional; /* NULL-terminated, borrowed from argv */
} Options;

static struct {
  int kmsg_fd; /* -1: not opened yet, -2: unusable */
  gboolean to_stderr;
  gboolean debug;
} logger = { -1, FALSE, FALSE };

static void
log_line (const char *msg)
{
  g_autofree char *line = g_strdup_printf ("podunit-generator[%d]: %s", (int) getpid (), msg);

  if (!logger.to_stderr && logger.kmsg_fd == -1)
    {
      logger.kmsg_fd = open ("/dev/kmsg", O_WRONLY | O_CLOEXEC);
      if (logger.kmsg_fd < 0)
        logger.kmsg_fd = -2;
    }
  if (!logger.to_stderr && logger.kmsg_fd >= 0 && write (logger.kmsg_fd, line, strlen (line)) >= 0)
    return;
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
}

static void G_GNUC_PRINTF (1, 2)
logf_ (const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  log_line (msg);
}

#define debugf(...)                                                                                \
  do                                                                                               \
    {                                                                                              \
      if (logger.debug)                                                                            \
        logf_ (__VA_ARGS__);                                                                       \
    }                                                                                              \
  while (0)

static void
log_all (GPtrArray *messages)
{
  for (guint i = 0; i < messages->len; i++)
    log_line (messages->pdata[i]);
  g_ptr_array_set_size (messages, 0);
}

/* ------------------------------------------------------------ options */

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: podunit-generator [-dryrun] [-v] [-user] [-no-kmsg-log] [-version]\n"
           "                         normal-dir [early-dir late-dir]\n"
           "       podunit-generator --validate [-user] FILE...\n"
           "Flags may start with one or two dashes.\n");
}

/* Go's flag package: -flag, --flag, -flag=BOOL; stops at the first
 * non-flag or "--". Returns FALSE on an unknown flag. */
static gboolean
parse_options (int argc, char **argv, Options *o)
{
  static const struct {
    const char *name;
    gsize offset;
  } flags[] = {
    { "v", G_STRUCT_OFFSET (Options, verbose) },
    { "no-kmsg-log", G_STRUCT_OFFSET (Options, no_kmsg) },
    { "user", G_STRUCT_OFFSET (Options, is_user) },
    { "dryrun", G_STRUCT_OFFSET (Options, dry_run) },
    { "version", G_STRUCT_OFFSET (Options, version) },
    { "validate", G_STRUCT_OFFSET (Options, validate) },
  };
  int i;

  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      g_autofree char *name = NULL;
      const char *eq;
      gboolean value = TRUE, known = FALSE;

      if (strcmp (a, "--") == 0)
        {
          i++;
          break;
        }
      if (a[0] != '-' || a[1] == '\0')
        break;
      a += (a[1] == '-') ? 2 : 1;
      eq = strchr (a, '=');
      name = eq ? g_strndup (a, (gsize) (eq - a)) : g_strdup (a);
      if (eq != NULL)
        {
          const char *v = eq + 1;
          if (strcmp (v, "true") == 0 || strcmp (v, "1") == 0 || g_ascii_strcasecmp (v, "t") == 0)
            value = TRUE;
          else if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0 ||
                   g_ascii_strcasecmp (v, "f") == 0)
            value = FALSE;
          else
            {
              fprintf (stderr, "invalid boolean value \"%s\" for -%s\n", v, name);
              return FALSE;
            }
        }
      if (strcmp (name, "h") == 0 || strcmp (name, "help") == 0)
        {
          usage (stdout);
          exit (0);
        }
      for (gsize f = 0; f < G_N_ELEMENTS (flags); f++)
        if (strcmp (name, flags[f].name) == 0)
          {
            G_STRUCT_MEMBER (gboolean, o, flags[f].offset) = value;
            known = TRUE;
          }
      if (!known)
        {
          fprintf (stderr, "flag provided but not defined: -%s\n", name);
          return FALSE;
        }
    }
  o->positional = argv + i;
  return TRUE;
}

/* ------------------------------------------------------------ loading */

/* One Quadlet file on its way through the generator. */
typedef struct {
  UnitFile *unit;
  const QuadletUnitType *type;
  guint index; /* load order, to keep the sort stable */
  /* Its unit info, computed while loading when no drop-in can change it,
   * to be recorded without the work (quadlet_units_info_insert()). */
  QuadletUnitInfo *info;
} Source;

static void
source_free (gpointer p)
{
  Source *s = p;
  unit_file_free (s->unit);
  quadlet_unit_info_free (s->info);
  g_free (s);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Loads the Quadlet files of @dir whose names were not seen in an earlier
 * directory. A file that fails to parse is reported and skipped; its name
 * is not taken, so a lower-precedence file of that name loads (as Quadlet). */
static void
load_units_from_dir (const char *dir, GHashTable *seen, GPtrArray *sources, guint *failures,
                     gboolean report, GHashTable *entries, gboolean *dropin_dirs)
{
  DIR *d = opendir (dir);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) regular = g_hash_table_new (g_str_hash, g_str_equal);
  autofd int dirfd = -1;
  gsize dirlen = strlen (dir);
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir (d)) != NULL)
    {
      const char *name = e->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
        continue;
      /* Only drop-in directories are looked up in @entries, and every
       * drop-in directory name ends in ".d". */
      if (g_str_has_suffix (name, ".d"))
        {
          if (entries != NULL)
            g_hash_table_add (entries, g_strdup (name));
          if (dropin_dirs != NULL)
            *dropin_dirs = TRUE;
        }
      if (quadlet_unit_type_for (name) != NULL && !g_hash_table_contains (seen, name))
        {
          char *copy = g_strdup (name);
          g_ptr_array_add (names, copy);
          if (e->d_type == DT_REG)
            g_hash_table_add (regular, copy);
        }
    }
  closedir (d);
  g_ptr_array_sort (names, compare_names); /* as Go's os.ReadDir */

  /* The files stay loaded until the end: a region for all of them (a
   * parsed file of the usual size takes under 4 KiB). */
  arena_reserve_region ((gsize) names->len * 4096);
  dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      /* g_build_filename() for the common case, a directory without a
       * trailing slash. */
      g_autofree char *path = dirlen > 0 && dir[dirlen - 1] != '/'
                                  ? g_strconcat (dir, "/", name, NULL)
                                  : g_build_filename (dir, name, NULL);
      g_autoptr (GError) error = NULL;
      UnitFile *unit;
      Source *s;

      if (logger.debug)
        logf_ ("Loading source unit file %s", path);
      unit = unit_file_load_at (dirfd, name, path, g_hash_table_contains (regular, name), &error);
      if (unit == NULL)
        {
          if (report)
            logf_ ("converting \"%s\": %s", name, error->message);
          (*failures)++;
          continue;
        }
      g_hash_table_add (seen, g_strdup (name));
      s = g_new0 (Source, 1);
      s->unit = unit;
      s->type = quadlet_unit_type_for (name);
      s->index = sources->len;
      /* Without drop-ins (so far: the caller checks again), the unit info
       * is known from the file alone. */
      if (dropin_dirs != NULL && !*dropin_dirs)
        s->info = quadlet_unit_info_new (unit);
      g_ptr_array_add (sources, s);
    }
}

/* Merges the unit's drop-ins: for every search directory (highest first),
 * every drop-in directory name (most specific first); the first *.conf of
 * a name wins, and the winners apply in name order. @entries (optional,
 * parallel to @dirs) lists the "*.d" entries of each directory, to skip
 * opening drop-in directories that are not there. */
static gboolean
load_dropins (UnitFile *unit, GPtrArray *dirs, GPtrArray *entries, GError **error)
{
  g_auto (GStrv) dropin_dirs = unit_file_get_dropin_dirs (unit);
  g_autoptr (GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree gpointer *names = NULL;
  guint n = 0;

  for (guint i = 0; i < dirs->len; i++)
    for (char **dd = dropin_dirs; *dd; dd++)
      {
        g_autofree char *dir = NULL;
        g_autoptr (GDir) d = NULL;
        const char *name;

        if (entries != NULL && !g_hash_table_contains (entries->pdata[i], *dd))
          continue;
        dir = g_build_filename (dirs->pdata[i], *dd, NULL);
        d = g_dir_open (dir, 0, NULL);
        if (d == NULL)
          continue;
        while ((name = g_dir_read_name (d)) != NULL)
          if (g_str_has_suffix (name, ".conf") && !g_hash_table_contains (paths, name))
            g_hash_table_insert (paths, g_strdup (name), g_build_filename (dir, name, NULL));
      }

  names = g_hash_table_get_keys_as_array (paths, &n);
  qsort (names, n, sizeof (gpointer), compare_names);
  for (guint i = 0; i < n; i++)
    {
      const char *path = g_hash_table_lookup (paths, names[i]);
      g_autoptr (UnitFile) dropin = NULL;

      debugf ("Loading source drop-in file %s", path);
      dropin = unit_file_load (path, error);
      if (dropin == NULL)
        return FALSE;
      unit_file_merge (unit, dropin);
    }
  return TRUE;
}

static int
compare_sources (gconstpointer a, gconstpointer b)
{
  const Source *x = *(const Source *const *) a, *y = *(const Source *const *) b;
  if (x->type->order != y->type->order)
    return x->type->order - y->type->order;
  return (int) x->index - (int) y->index;
}

/* ------------------------------------------------------------ converting */

/* Converts one file; NULL on failure. Warnings stay in ctx->warnings, the
 * error (in Quadlet's words) goes to *message. */
static UnitFile *
convert_one (QuadletContext *ctx, Source *s, char **message)
{
  const char *filename = unit_file_get_filename (s->unit);
  g_autoptr (GError) error = NULL;
  UnitFile *service = NULL;

  if (strcmp (s->type->extension, ".container") == 0 ||
      strcmp (s->type->extension, ".volume") == 0 || strcmp (s->type->extension, ".image") == 0)
    quadlet_warn_ambiguous_image (ctx, s->unit, s->type->group);
  quadlet_warn_unsupported_service_keys (ctx, s->unit);
  quadlet_warn_unterminated_quotes (ctx, s->unit, s->type->group);

  if (s->type->convert == NULL)
    g_set_error (&error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                 "%s files are not supported by podunit-generator", s->type->extension);
  else
    service = s->type->convert (ctx, s->unit, &error);
  if (service != NULL && !emit_check_lines (service, &error))
    g_clear_pointer (&service, unit_file_free);
  if (service == NULL)
    *message = g_strdup_printf ("converting \"%s\": %s", filename, error->message);
  return service;
}

/* A converted unit on its way to the output directory. */
typedef struct {
  char *name;          /* "web.service" */
  char *text;          /* what is written there */
  gsize len;
  GPtrArray *links;    /* EmitLink*, its [Install] symlinks */
  gboolean deferred;   /* written after the writer threads are done */
  gboolean failed;
  GPtrArray *messages; /* char*, the problems of writing it */
} Output;

static void
output_free (gpointer p)
{
  Output *out = p;
  g_free (out->name);
  g_free (out->text);
  g_ptr_array_unref (out->links);
  g_ptr_array_unref (out->messages);
  g_free (out);
}

/* Converts @s; logs its warnings and error. Returns the unit to write
 * (NULL when it failed, or when -dryrun printed it). */
static Output *
generate_one (const Options *o, QuadletContext *ctx, const char *outdir, const char *header,
              Source *s, gboolean *failed)
{
  char *message = NULL;
  g_autoptr (UnitFile) service = convert_one (ctx, s, &message);
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  Output *out;

  log_all (ctx->warnings);
  *failed = service == NULL;
  if (service == NULL)
    {
      log_line (message);
      g_free (message);
      return NULL;
    }
  if (o->dry_run)
    {
      g_autofree char *text = emit_dry_run_text (service);
      fputs (text, stdout);
      return NULL;
    }
  if (o->verbose)
    logf_ ("writing \"%s/%s\"", outdir, unit_file_get_filename (service));
  out = g_new0 (Output, 1);
  out->name = g_strdup (unit_file_get_filename (service));
  out->links = emit_install_links (service, problems);
  log_all (problems);
  out->text = emit_service_text (service, header, &out->len);
  out->messages = g_ptr_array_new_with_free_func (g_free);
  return out;
}

/* Whether none of @out's names (its unit, its links) belongs to an output
 * before it; all of them are @seen from now on. Two outputs of one name
 * (ServiceName= collisions, a shared Alias=) must be written in source
 * order, so that the last converted wins: the later one waits until the
 * writers are done. */
static gboolean
names_are_new (GHashTable *seen, Output *out)
{
  gboolean new = g_hash_table_add (seen, out->name);

  for (guint l = 0; l < out->links->len; l++)
    new &= g_hash_table_add (seen, ((EmitLink *) out->links->pdata[l])->path);
  return new;
}

typedef struct {
  int dirfd;
  const char *outdir;
} Writer;

/* Writes @data (an Output) in the directory of @user_data (a Writer). */
static void
write_output (gpointer data, gpointer user_data)
{
  Output *out = data;
  Writer *w = user_data;
  g_autoptr (GError) error = NULL;

  if (!emit_write_at (w->dirfd, w->outdir, out->name, out->text, out->len, &error))
    {
      g_ptr_array_add (out->messages, g_strdup_printf ("generating service file %s: %s", out->name,
                                                       error->message));
      out->failed = TRUE;
      return;
    }
  for (guint l = 0; l < out->links->len; l++)
    emit_link_at (w->dirfd, w->outdir, out->links->pdata[l], out->messages);
}

/* Writer threads: one per CPU (this thread converts meanwhile, then
 * waits), at most this many: they all write into one directory, whose
 * updates the kernel serializes. */
#define MAX_WRITERS 4

/* Two files whose services share a name (ServiceName=, or a file named as
 * another's ServiceName=) write one unit: the last converted wins, which the
 * admin should hear about, naming both files. */
static void
warn_service_collisions (QuadletContext *ctx, GPtrArray *sources)
{
  g_autoptr (GHashTable) first = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < sources->len; i++)
    {
      Source *s = sources->pdata[i];
      const char *file = unit_file_get_filename (s->unit);
      QuadletUnitInfo *info = quadlet_units_info_lookup (ctx, file);
      const char *other;

      if (info == NULL || info->service_name == NULL)
        continue;
      other = g_hash_table_lookup (first, info->service_name);
      if (other == NULL)
        g_hash_table_insert (first, info->service_name, (gpointer) file);
      else
        logf_ ("Warning: %s and %s both generate %s.service; only one is written", other, file,
               info->service_name);
    }
}

/* What generate() leaves to the end of the process. */
static struct {
  GPtrArray *sources, *outputs;
  QuadletContext *ctx;
} kept;

static int
generate (const Options *o, const char *argv0)
{
  const char *engine = g_getenv ("PODMAN");
  const char *outdir = o->positional[0];
  g_autoptr (QuadletContext) ctx = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) dirs = NULL;
  g_autoptr (GPtrArray) sources = g_ptr_array_new_with_free_func (source_free);
  g_autoptr (GPtrArray) outputs = g_ptr_array_new_with_free_func (output_free);
  g_autoptr (GHashTable) seen_outputs = g_hash_table_new (g_str_hash, g_str_equal);
  GThreadPool *pool = NULL;
  Writer writer;
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *header = g_strdup_printf ("Automatically generated by %s", argv0);
  autofd int outdir_fd = -1;
  guint failures = 0;
  gboolean dropin_dirs = FALSE;

  if (!o->dry_run && outdir == NULL)
    {
      logf_ ("missing output directory argument");
      return 1;
    }
  if (!o->dry_run)
    debugf ("Starting podunit-generator, output to: %s", outdir);

  ctx = quadlet_context_new (o->is_user,
                             (engine != NULL && engine[0] != '\0') ? engine : PODUNIT_ENGINE_PATH);
  dirs = unit_dirs_get (o->is_user, problems);
  log_all (problems);
  for (guint i = 0; i < dirs->len; i++)
    {
      GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_ptr_array_add (entries, names);
      load_units_from_dir (dirs->pdata[i], seen, sources, &failures, TRUE, names, &dropin_dirs);
    }

  if (sources->len == 0)
    {
      g_autofree char *list = unit_dirs_to_string (dirs);
      debugf ("No files parsed from %s", list);
      return failures ? 1 : 0;
    }

  for (guint i = 0; dropin_dirs && i < sources->len; i++)
    {
      Source *s = sources->pdata[i];
      g_autoptr (GError) error = NULL;
      if (!load_dropins (s->unit, dirs, entries, &error))
        {
          logf_ ("converting \"%s\": %s", unit_file_get_filename (s->unit), error->message);
          failures++;
          g_ptr_array_remove_index (sources, i--);
        }
    }

  if (!o->dry_run && g_mkdir_with_parents (outdir, 0755) < 0)
    {
      logf_ ("creating %s: %s", outdir, g_strerror (errno));
      return 1;
    }
  if (!o->dry_run && (outdir_fd = emit_open_dir (outdir)) < 0)
    {
      logf_ ("opening %s: %s", outdir, g_strerror (errno));
      return 1;
    }

  /* Images and volumes first: later units use their resource names. */
  g_ptr_array_sort (sources, compare_sources);
  for (guint i = 0; i < sources->len; i++)
    {
      Source *s = sources->pdata[i];
      /* Drop-ins found in a later directory make the early infos stale. */
      if (s->info != NULL && !dropin_dirs)
        quadlet_units_info_insert (ctx, s->unit, g_steal_pointer (&s->info));
      else
        quadlet_units_info_add (ctx, s->unit);
    }
  warn_service_collisions (ctx, sources);

  /* Conversions run in order, in this thread: they read and write the
   * unit infos of earlier files (a container's pod, a volume's name).
   * Writing, the larger half of the work (system calls), goes to writer
   * threads as soon as each unit is converted. */
  writer = (Writer){ outdir_fd, outdir };
  if (!o->dry_run)
    pool = g_thread_pool_new (write_output, &writer,
                              CLAMP ((int) g_get_num_processors (), 1, MAX_WRITERS), TRUE, NULL);
  for (guint i = 0; i < sources->len; i++)
    {
      gboolean failed;
      Output *out = generate_one (o, ctx, outdir, header, sources->pdata[i], &failed);
      failures += failed;
      if (out == NULL)
        continue;
      g_ptr_array_add (outputs, out);
      out->deferred = !names_are_new (seen_outputs, out) || pool == NULL ||
                      !g_thread_pool_push (pool, out, NULL);
    }
  fflush (stdout);
  if (pool != NULL)
    g_thread_pool_free (pool, FALSE, TRUE); /* waits for the writers */
  for (guint i = 0; i < outputs->len; i++)
    {
      Output *out = outputs->pdata[i];
      if (out->deferred)
        write_output (out, &writer);
      log_all (out->messages);
      failures += out->failed;
    }
  /* The process ends after this: the parsed files, their units and infos
   * go with it instead of one free at a time (for 1,070 files 0.7 ms, 3 %
   * of the run). Kept reachable, so leak checkers see no leak. */
  kept.sources = g_steal_pointer (&sources);
  kept.outputs = g_steal_pointer (&outputs);
  kept.ctx = g_steal_pointer (&ctx);
  return failures ? 1 : 0;
}

/* ------------------------------------------------------------ --validate */

/* Prints every problem of every file on stdout ("FILE: problem"), for
 * admins and CI. Other Quadlet files in the same directories are read for
 * cross-references only. Exit 1 when any file would fail to generate. */
static int
validate (const Options *o)
{
  g_autoptr (QuadletContext) ctx = quadlet_context_new (o->is_user, "podunit");
  g_autoptr (GPtrArray) sources = g_ptr_array_new_with_free_func (source_free);
  g_autoptr (GPtrArray) neighbours = g_ptr_array_new_with_free_func (source_free);
  g_autoptr (GHashTable) dirs_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint errors = 0, warnings = 0, files = 0;

  if (o->positional[0] == NULL)
    {
      usage (stderr);
      return 2;
    }
  for (char **f = o->positional; *f; f++, files++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *dir = g_path_get_dirname (*f);
      g_autoptr (GPtrArray) dirs = g_ptr_array_new ();
      UnitFile *unit;
      Source *s;

      if (quadlet_unit_type_for (*f) == NULL)
        {
          printf ("%s: not a Quadlet file (.container .pod .volume .network .image .build "
                  ".kube)\n", *f);
          errors++;
          continue;
        }
      unit = unit_file_load (*f, &error);
      g_ptr_array_add (dirs, dir);
      if (unit != NULL && !load_dropins (unit, dirs, NULL, &error))
        g_clear_pointer (&unit, unit_file_free);
      if (unit == NULL)
        {
          printf ("%s: %s\n", *f, error->message);
          errors++;
          continue;
        }
      s = g_new0 (Source, 1);
      s->unit = unit;
      s->type = quadlet_unit_type_for (*f);
      s->index = sources->len;
      g_ptr_array_add (sources, s);

      if (g_hash_table_add (dirs_seen, g_strdup (dir)))
        {
          g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          guint ignored = 0;
          /* Only for references: their own problems are not reported. */
          load_units_from_dir (dir, seen, neighbours, &ignored, FALSE, NULL, NULL);
        }
    }

  for (guint i = 0; i < neighbours->len; i++)
    quadlet_units_info_add (ctx, ((Source *) neighbours->pdata[i])->unit);
  g_ptr_array_sort (sources, compare_sources);
  for (guint i = 0; i < sources->len; i++)
    quadlet_units_info_add (ctx, ((Source *) sources->pdata[i])->unit);

  for (guint i = 0; i < sources->len; i++)
    {
      Source *s = sources->pdata[i];
      const char *name = unit_file_get_path (s->unit);
      g_autoptr (GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GError) error = NULL;
      g_autoptr (UnitFile) service = NULL;

      /* All unknown keys, not just the first that stops the conversion. */
      quadlet_collect_unknown_keys (s->unit, s->type->group, s->type->keys, unknown);
      for (guint k = 0; k < unknown->len; k++)
        printf ("%s: %s\n", name, (char *) unknown->pdata[k]);
      errors += unknown->len;

      if (strcmp (s->type->extension, ".container") == 0 ||
          strcmp (s->type->extension, ".volume") == 0 || strcmp (s->type->extension, ".image") == 0)
        quadlet_warn_ambiguous_image (ctx, s->unit, s->type->group);
      quadlet_warn_unsupported_service_keys (ctx, s->unit);
      quadlet_warn_unterminated_quotes (ctx, s->unit, s->type->group);
      if (s->type->convert == NULL)
        {
          printf ("%s: %s files are not supported by podunit-generator\n", name,
                  s->type->extension);
          errors++;
          continue;
        }
      /* Convert without the unknown keys too, to find the problems after
       * them (a missing Image=, a bad reference). */
      if (unknown->len > 0)
        {
          g_auto (GStrv) keys = unit_file_list_keys (s->unit, s->type->group);
          g_auto (GStrv) qkeys = unit_file_list_keys (s->unit, QUADLET_QUADLET_GROUP);
          for (char **k = keys; *k; k++)
            if (!g_strv_contains (s->type->keys, *k))
              unit_file_unset (s->unit, s->type->group, *k);
          for (char **k = qkeys; *k; k++)
            if (strcmp (*k, "DefaultDependencies") != 0)
              unit_file_unset (s->unit, QUADLET_QUADLET_GROUP, *k);
        }
      service = s->type->convert (ctx, s->unit, &error);
      if (service != NULL && !emit_check_lines (service, &error))
        g_clear_pointer (&service, unit_file_free);
      for (guint w = 0; w < ctx->warnings->len; w++)
        printf ("%s: %s\n", name, (char *) ctx->warnings->pdata[w]);
      warnings += ctx->warnings->len;
      g_ptr_array_set_size (ctx->warnings, 0);
      if (service == NULL)
        {
          printf ("%s: %s\n", name, error->message);
          errors++;
        }
    }
  printf ("%u file%s checked, %u error%s, %u warning%s\n", files, files == 1 ? "" : "s", errors,
          errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
  return errors ? 1 : 0;
}

int
main (int argc, char **argv)
{
  Options o = { 0 };
  g_autofree char *prgname = g_path_get_basename (argv[0]);

  o.is_user = strstr (prgname, "user") != NULL;
  if (!parse_options (argc, argv, &o))
    {
      usage (stderr);
      return 2;
    }
  if (o.version)
    {
      printf ("%s\n", PODUNIT_VERSION);
      return 0;
    }
  if (o.validate)
    {
      logger.to_stderr = TRUE;
      return validate (&o);
    }

  /* Units 0644 and directories 0755 whatever the caller's umask (systemd
   * starts generators with this one), without a chmod per unit. */
  umask (022);
  logger.debug = o.verbose || o.dry_run;
  logger.to_stderr = o.no_kmsg || o.dry_run;
  return generate (&o, argv[0]);
}
