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
#include "parallel.h"
#include "quadlet.h"
#include "unitdirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
  /* What converting it produced, reported by the main thread in source
   * order whichever thread converted it. */
  GPtrArray *messages;   /* char*, to log */
  GPtrArray *pod_starts; /* see quadlet_context_steal_pod_starts() */
  char *dry_run_text;
  gboolean failed;
  /* Another file of its conversion order makes the same service: such
   * files are generated one after the other, in source order, so the
   * last one wins as it would without threads. */
  gboolean serial;
  /* Its unit info, computed while loading when no drop-in can change it,
   * to be recorded without the work (quadlet_units_info_insert()). */
  QuadletUnitInfo *info;
} Source;

static void
source_free (gpointer p)
{
  Source *s = p;
  unit_file_free (s->unit);
  if (s->messages)
    g_ptr_array_unref (s->messages);
  if (s->pod_starts)
    g_ptr_array_unref (s->pod_starts);
  g_free (s->dry_run_text);
  quadlet_unit_info_free (s->info);
  g_free (s);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A directory's files, parsed in parallel (parallel_for). */
typedef struct {
  const char *dir;
  int dirfd;
  GPtrArray *names;
  GHashTable *regular; /* the names readdir() said are regular files */
  UnitFile **units;    /* parallel to names: the parsed file, or */
  GError **errors;     /* why it failed */
  gboolean with_infos; /* compute each file's unit info too, into */
  QuadletUnitInfo **infos;
} Loads;

static void
load_item (gpointer data, guint thread, guint item)
{
  Loads *l = data;
  const char *name = l->names->pdata[item];
  gsize n = strlen (l->dir);
  /* g_build_filename() for the common case, a directory without a
   * trailing slash. */
  g_autofree char *path = n > 0 && l->dir[n - 1] != '/' ? g_strconcat (l->dir, "/", name, NULL)
                                                       : g_build_filename (l->dir, name, NULL);
  l->units[item] = unit_file_load_at (l->dirfd, name, path,
                                      g_hash_table_contains (l->regular, name), &l->errors[item]);
  if (l->with_infos && l->units[item] != NULL)
    l->infos[item] = quadlet_unit_info_new (l->units[item]);
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
  Loads loads = { 0 };
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
  loads.dir = dir;
  loads.regular = regular;
  loads.dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  loads.names = names;
  loads.units = g_new0 (UnitFile *, names->len);
  loads.errors = g_new0 (GError *, names->len);
  /* Without drop-ins (so far: the caller checks again), the unit infos
   * are known from the files alone, and computed in parallel too. */
  loads.with_infos = dropin_dirs != NULL && !*dropin_dirs;
  loads.infos = g_new0 (QuadletUnitInfo *, names->len);
  parallel_for (0, names->len, parallel_threads_for (names->len), load_item, &loads);

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) error = g_steal_pointer (&loads.errors[i]);
      UnitFile *unit = g_steal_pointer (&loads.units[i]);
      Source *s;

      if (logger.debug)
        {
          g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
          logf_ ("Loading source unit file %s", path);
        }
      if (unit == NULL)
        {
          if (report)
            logf_ ("converting \"%s\": %s", (char *) names->pdata[i], error->message);
          (*failures)++;
          continue;
        }
      g_hash_table_add (seen, g_strdup (names->pdata[i]));
      s = g_new0 (Source, 1);
      s->unit = unit;
      s->type = quadlet_unit_type_for (names->pdata[i]);
      s->index = sources->len;
      s->info = g_steal_pointer (&loads.infos[i]);
      g_ptr_array_add (sources, s);
    }
  g_free (loads.units);
  g_free (loads.errors);
  g_free (loads.infos);
  if (loads.dirfd >= 0)
    close (loads.dirfd);
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

/* A unit written but not yet named in the output directory. */
typedef struct {
  Source *source;
  UnitFile *service;
  int fd;
} Pending;

/* Units a thread holds unnamed before it waits for the directory. */
#define PENDING_MAX 32

typedef struct {
  const Options *options;
  QuadletContext *ctxs[PARALLEL_MAX_THREADS]; /* [0] the main thread's */
  const char *outdir;
  int outdir_fd;
  const char *header;
  GPtrArray *sources; /* Source* */
  /* Naming units and their [Install] links changes directories that every
   * thread writes to; the kernel makes a second writer spin until the
   * first is done. So one thread at a time does it, for all the units it
   * has ready, and a thread that finds it busy goes on converting. */
  GMutex directory;
  Pending pending[PARALLEL_MAX_THREADS][PENDING_MAX];
  guint n_pending[PARALLEL_MAX_THREADS];
} Batch;

/* Names the units @thread has written and creates their [Install] links;
 * the caller holds b->directory. */
static void
name_pending (Batch *b, guint thread)
{
  for (guint i = 0; i < b->n_pending[thread]; i++)
    {
      Pending *p = &b->pending[thread][i];
      g_autoptr (GError) error = NULL;

      if (emit_service_finish (b->outdir_fd, b->outdir, p->service, p->fd, &error))
        emit_install_symlinks_at (b->outdir_fd, b->outdir, p->service, p->source->messages);
      else
        {
          g_ptr_array_add (p->source->messages,
                           g_strdup_printf ("generating service file %s: %s",
                                            unit_file_get_filename (p->service), error->message));
          p->source->failed = TRUE;
        }
      unit_file_free (p->service);
    }
  b->n_pending[thread] = 0;
}

/* Converts @s and writes its service (or its -dryrun text), keeping every
 * message in s->messages. Runs in any thread: it touches only @s, the
 * thread's context and pending units, and the output directory (naming
 * units only while it holds b->directory). */
static void
generate_one (Batch *b, guint thread, Source *s)
{
  QuadletContext *ctx = b->ctxs[thread];
  char *message = NULL;
  g_autoptr (UnitFile) service = convert_one (ctx, s, &message);
  g_autoptr (GError) error = NULL;
  int fd;

  s->messages = g_steal_pointer (&ctx->warnings);
  ctx->warnings = g_ptr_array_new_with_free_func (g_free);
  s->pod_starts = quadlet_context_steal_pod_starts (ctx);
  if (service == NULL)
    {
      g_ptr_array_add (s->messages, message);
      s->failed = TRUE;
      return;
    }
  if (b->options->dry_run)
    {
      s->dry_run_text = emit_dry_run_text (service);
      return;
    }
  if (b->options->verbose)
    g_ptr_array_add (s->messages, g_strdup_printf ("writing \"%s/%s\"", b->outdir,
                                                   unit_file_get_filename (service)));
  if (!emit_service_begin (b->outdir_fd, b->outdir, service, b->header, &fd, &error))
    {
      g_ptr_array_add (s->messages,
                       g_strdup_printf ("generating service file %s: %s",
                                        unit_file_get_filename (service), error->message));
      s->failed = TRUE;
      return;
    }
  b->pending[thread][b->n_pending[thread]++] = (Pending){ s, g_steal_pointer (&service), fd };
  if (b->n_pending[thread] == PENDING_MAX)
    g_mutex_lock (&b->directory);
  else if (!g_mutex_trylock (&b->directory))
    return;
  name_pending (b, thread);
  g_mutex_unlock (&b->directory);
}

static void
generate_item (gpointer data, guint thread, guint item)
{
  Batch *b = data;
  Source *s = b->sources->pdata[item];

  if (!s->serial)
    generate_one (b, thread, s);
}

/* Names what every thread left unnamed (after parallel_for: no thread runs). */
static void
name_all_pending (Batch *b)
{
  for (guint t = 0; t < PARALLEL_MAX_THREADS; t++)
    name_pending (b, t);
}

/* Marks the files of sources[start..end) whose service name another file
 * of the range shares (two files named alike, or ServiceName=). */
static void
mark_serial (QuadletContext *ctx, GPtrArray *sources, guint start, guint end)
{
  g_autoptr (GHashTable) count = g_hash_table_new (g_str_hash, g_str_equal);

  for (int pass = 0; pass < 2; pass++)
    for (guint i = start; i < end; i++)
      {
        Source *s = sources->pdata[i];
        QuadletUnitInfo *info = quadlet_units_info_lookup (ctx, unit_file_get_filename (s->unit));
        guint n;

        if (info == NULL || info->service_name == NULL)
          continue;
        n = GPOINTER_TO_UINT (g_hash_table_lookup (count, info->service_name));
        if (pass == 0)
          g_hash_table_insert (count, info->service_name, GUINT_TO_POINTER (n + 1));
        else
          s->serial = n > 1;
      }
}

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

static int
generate (const Options *o, const char *argv0)
{
  const char *engine = g_getenv ("PODMAN");
  const char *outdir = o->positional[0];
  g_autoptr (QuadletContext) ctx = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) dirs = NULL;
  g_autoptr (GPtrArray) sources = g_ptr_array_new_with_free_func (source_free);
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *header = g_strdup_printf ("Automatically generated by %s", argv0);
  Batch batch = { o, { NULL }, outdir, -1, header, sources };
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

  emit_init ();
  if (!o->dry_run && g_mkdir_with_parents (outdir, 0755) < 0)
    {
      logf_ ("creating %s: %s", outdir, g_strerror (errno));
      return 1;
    }
  if (!o->dry_run && (batch.outdir_fd = emit_open_dir (outdir)) < 0)
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

  /* Files of one conversion order only read what earlier orders recorded:
   * each order's files are converted and written in parallel, then
   * reported in source order. */
  batch.ctxs[0] = ctx;
  g_mutex_init (&batch.directory);
  for (guint t = 1; t < PARALLEL_MAX_THREADS; t++)
    batch.ctxs[t] = quadlet_context_new_worker (ctx);
  for (guint start = 0, end; start < sources->len; start = end)
    {
      for (end = start; end < sources->len; end++)
        if (((Source *) sources->pdata[end])->type->order !=
            ((Source *) sources->pdata[start])->type->order)
          break;
      mark_serial (ctx, sources, start, end);
      parallel_for (start, end, parallel_threads_for (end - start), generate_item, &batch);
      name_all_pending (&batch);
      for (guint i = start; i < end; i++)
        if (((Source *) sources->pdata[i])->serial)
          generate_one (&batch, 0, sources->pdata[i]);
      name_all_pending (&batch);
      for (guint i = start; i < end; i++)
        {
          Source *s = sources->pdata[i];
          log_all (s->messages);
          failures += s->failed;
          if (s->dry_run_text)
            fputs (s->dry_run_text, stdout);
          quadlet_apply_pod_starts (s->pod_starts);
        }
    }
  for (guint t = 1; t < PARALLEL_MAX_THREADS; t++)
    quadlet_context_free (batch.ctxs[t]);
  g_mutex_clear (&batch.directory);
  if (batch.outdir_fd >= 0)
    close (batch.outdir_fd);
  fflush (stdout);
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
      {
        g_autoptr (GPtrArray) starts = quadlet_context_steal_pod_starts (ctx);
        quadlet_apply_pod_starts (starts);
      }
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

  logger.debug = o.verbose || o.dry_run;
  logger.to_stderr = o.no_kmsg || o.dry_run;
  return generate (&o, argv[0]);
}
