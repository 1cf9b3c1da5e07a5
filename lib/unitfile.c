/* SPDX-License-Identifier: Apache-2.0 */
/* systemd unit-file syntax, read and written the way Quadlet does it:
 * - lines are trimmed; '#' and ';' start comments; a trailing backslash
 *   joins the next line (comment lines inside a continuation are dropped);
 * - "[Group]" may repeat, later instances are merged into the first;
 * - keys keep their order and repeat; an empty value resets a list.
 * Comments are kept so a file can be written back nearly verbatim. */
#include "unitfile.h"
#include "arena.h"
#include "error.h"
#include "escape.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (podunit-unit-file-error-quark, unit_file_error)

typedef struct {
  char *key; /* NULL for comments */
  char *value;
  const char *source; /* interned path, may be NULL */
  int lineno;
  guint hash; /* key_hash (key), for lookups */
} UnitLine;

/* A growable array of pointers in the file's arena (outgrown arrays stay
 * there until the file is freed): no malloc per line or per group. */
typedef struct {
  gpointer *pdata;
  guint len, cap;
} Vec;

static Vec *
vec_new (Arena *a, guint cap)
{
  Vec *v = arena_alloc (a, sizeof (Vec));
  v->pdata = arena_alloc (a, cap * sizeof (gpointer));
  v->len = 0;
  v->cap = cap;
  return v;
}

static void
vec_reserve (Arena *a, Vec *v, guint extra)
{
  gpointer *bigger;
  guint cap = v->cap;

  if (v->len + extra <= v->cap)
    return;
  while (cap < v->len + extra)
    cap = cap ? cap * 2 : 4;
  bigger = arena_alloc (a, cap * sizeof (gpointer));
  if (v->len > 0)
    memcpy (bigger, v->pdata, v->len * sizeof (gpointer));
  v->pdata = bigger;
  v->cap = cap;
}

static void
vec_add (Arena *a, Vec *v, gpointer p)
{
  if (v->len == v->cap)
    vec_reserve (a, v, 1);
  v->pdata[v->len++] = p;
}

static void
vec_insert0 (Arena *a, Vec *v, gpointer p)
{
  vec_reserve (a, v, 1);
  memmove (v->pdata + 1, v->pdata, v->len * sizeof (gpointer));
  v->pdata[0] = p;
  v->len++;
}

static void
vec_remove_index (Vec *v, guint i)
{
  memmove (v->pdata + i, v->pdata + i + 1, (v->len - i - 1) * sizeof (gpointer));
  v->len--;
}

/* Groups with more key lines than this get a hash index on their first
 * lookup; smaller ones are scanned (from the end: the last value wins). */
#define UNIT_GROUP_SCAN_MAX 32

typedef struct {
  char *name;
  Arena *arena;  /* the file's */
  Vec *comments; /* UnitLine*, printed before the header */
  Vec *lines;    /* UnitLine* */
  guint n_keys;  /* key lines ever appended (an upper bound) */
  /* A Bloom filter of the keys (two bits of 128 per key): converters look
   * up ~150 keys per file, mostly absent ones, and nearly all of those are
   * answered here without a scan. */
  guint64 key_bits[2];
  GHashTable *index; /* key -> its last UnitLine*, for large groups */
} UnitGroup;

/* The file itself, its lines, strings and groups live in its arena
 * (unit_file_set() leaves a replaced value there until the file is
 * freed). A copy (unit_file_dup()) points at the original's strings and
 * keeps a reference on its arena instead of copying them. */
struct _UnitFile {
  Arena *arena;
  Arena *borrowed; /* another file's arena, or NULL */
  Vec *groups;     /* UnitGroup*, file order */
  char *path;
  char *filename;
};

/* Keys are short names, distinct in length or in a few characters: the
 * length and four of them, mixed, are hash enough (and cost far less than
 * a pass over every character on each of the many lookups). */
static guint key_hash_len (const char *key, gsize n);

static guint
key_hash (const char *key)
{
  return key_hash_len (key, strlen (key));
}

/* key_hash() of the @n bytes at @key. */
static guint
key_hash_len (const char *key, gsize n)
{
  guint h = (guint) n * 0x9E3779B1u;

  if (n > 0)
    {
      h ^= (guchar) key[0] * 0x85EBCA6Bu;
      h += (guchar) key[n - 1] * 0xC2B2AE35u;
      h ^= (guchar) key[n / 2] * 0x27D4EB2Fu;
      h += (guchar) key[n / 3] * 0x165667B1u;
    }
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 13;
  return h;
}

static gboolean
key_bits_test (const guint64 *bits, guint hash)
{
  guint a = hash & 127, b = (hash >> 7) & 127;
  return (bits[a >> 6] >> (a & 63) & 1) && (bits[b >> 6] >> (b & 63) & 1);
}

static void
key_bits_set (guint64 *bits, guint hash)
{
  guint a = hash & 127, b = (hash >> 7) & 127;
  bits[a >> 6] |= G_GUINT64_CONSTANT (1) << (a & 63);
  bits[b >> 6] |= G_GUINT64_CONSTANT (1) << (b & 63);
}

static UnitLine *
unit_line_new (UnitFile *f, const char *key, const char *value, const char *source, int lineno)
{
  UnitLine *l = arena_alloc (f->arena, sizeof (UnitLine));
  l->key = arena_strdup (f->arena, key);
  l->hash = key ? key_hash (l->key) : 0;
  l->value = arena_strdup (f->arena, value);
  l->source = source;
  l->lineno = lineno;
  return l;
}

static gboolean
unit_line_is_key (const UnitLine *l, const char *key)
{
  return l->key != NULL && strcmp (l->key, key) == 0;
}

static UnitGroup *
unit_group_new (UnitFile *f, const char *name)
{
  UnitGroup *g = arena_new0 (f->arena, UnitGroup);
  g->name = arena_strdup (f->arena, name);
  g->arena = f->arena;
  g->comments = vec_new (f->arena, 2);
  g->lines = vec_new (f->arena, 8);
  return g;
}

static void
unit_group_clear (UnitGroup *g)
{
  if (g->index)
    g_hash_table_unref (g->index);
  g->index = NULL;
}

static __attribute__ ((noinline)) UnitLine *
unit_group_scan_last (UnitGroup *g, const char *key, guint hash)
{
  if (g->n_keys <= UNIT_GROUP_SCAN_MAX)
    {
      for (guint i = g->lines->len; i > 0; i--)
        {
          UnitLine *l = g->lines->pdata[i - 1];
          if (l->hash == hash && unit_line_is_key (l, key))
            return l;
        }
      return NULL;
    }
  if (g->index == NULL)
    {
      g->index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < g->lines->len; i++)
        {
          UnitLine *l = g->lines->pdata[i];
          if (l->key != NULL)
            g_hash_table_insert (g->index, l->key, l);
        }
    }
  return g_hash_table_lookup (g->index, key);
}

/* The last line of @key in @g; most keys looked up are absent, and the
 * filter answers those inline. */
static inline UnitLine *
unit_group_find_last (UnitGroup *g, const char *key)
{
  guint hash = key_hash (key);

  if (!key_bits_test (g->key_bits, hash))
    return NULL;
  return unit_group_scan_last (g, key, hash);
}

/* The first line of @g with @l's key. */
static UnitLine *
unit_group_find_first (UnitGroup *g, const UnitLine *l)
{
  for (guint i = 0; i < g->lines->len; i++)
    {
      UnitLine *m = g->lines->pdata[i];
      if (m->hash == l->hash && m->key != NULL && strcmp (m->key, l->key) == 0)
        return m;
    }
  return NULL;
}

/* Notes a new key line of @g (already in g->lines) in the lookup bits and,
 * when it is the key's last line, in the index. */
static void
unit_group_note_key (UnitGroup *g, UnitLine *l, gboolean is_last)
{
  g->n_keys++;
  key_bits_set (g->key_bits, l->hash);
  if (g->index != NULL && (is_last || !g_hash_table_contains (g->index, l->key)))
    g_hash_table_insert (g->index, l->key, l);
}

/* Appends @l (a key or comment line) to @g. */
static void
unit_group_append (UnitGroup *g, UnitLine *l)
{
  vec_add (g->arena, g->lines, l);
  if (l->key != NULL)
    unit_group_note_key (g, l, TRUE);
}

/* Copies @src's lines after @dst's. Their file names are interned unless
 * @src is in the same file (or one that outlives it). */
static void
unit_group_merge (UnitFile *dst_file, UnitGroup *dst, const UnitGroup *src, gboolean same_file)
{
#define SOURCE(l) ((same_file || (l)->source == NULL) ? (l)->source : g_intern_string ((l)->source))
  vec_reserve (dst_file->arena, dst->comments, src->comments->len);
  for (guint i = 0; i < src->comments->len; i++)
    {
      const UnitLine *l = src->comments->pdata[i];
      vec_add (dst_file->arena, dst->comments, unit_line_new (dst_file, NULL, l->value, SOURCE (l),
                                                              l->lineno));
    }
  vec_reserve (dst_file->arena, dst->lines, src->lines->len);
  for (guint i = 0; i < src->lines->len; i++)
    {
      const UnitLine *l = src->lines->pdata[i];
      unit_group_append (dst, unit_line_new (dst_file, l->key, l->value, SOURCE (l), l->lineno));
    }
#undef SOURCE
}

/* unit_group_merge() into an empty group, sharing @src's strings (the
 * file holds a reference on their arena): only the line records are
 * copied, since edits replace a line's value pointer, never its text. */
static void
unit_group_copy_borrowing (UnitFile *dst_file, UnitGroup *dst, const UnitGroup *src)
{
  guint n = src->comments->len + src->lines->len;
  UnitLine *copies = arena_alloc (dst_file->arena, MAX (n, 1) * sizeof (UnitLine));

  vec_reserve (dst_file->arena, dst->comments, src->comments->len);
  for (guint i = 0; i < src->comments->len; i++)
    {
      *copies = *(const UnitLine *) src->comments->pdata[i];
      dst->comments->pdata[dst->comments->len++] = copies++;
    }
  vec_reserve (dst_file->arena, dst->lines, src->lines->len);
  for (guint i = 0; i < src->lines->len; i++)
    {
      *copies = *(const UnitLine *) src->lines->pdata[i];
      dst->lines->pdata[dst->lines->len++] = copies;
      if (copies->key != NULL)
        unit_group_note_key (dst, copies, TRUE);
      copies++;
    }
}

static UnitFile *
unit_file_new_in (Arena *arena)
{
  UnitFile *f = arena_new0 (arena, UnitFile);
  f->arena = arena;
  f->groups = vec_new (arena, 4);
  return f;
}

UnitFile *
unit_file_new (void)
{
  return unit_file_new_in (arena_new ());
}

void
unit_file_free (UnitFile *f)
{
  if (f == NULL)
    return;
  for (guint i = 0; i < f->groups->len; i++)
    unit_group_clear (f->groups->pdata[i]);
  arena_free (f->borrowed);
  arena_free (f->arena); /* f itself is in it */
}

/* A file has a handful of groups: a scan beats hashing the name. */
static UnitGroup *
find_group (const UnitFile *f, const char *name)
{
  for (guint i = 0; i < f->groups->len; i++)
    {
      UnitGroup *g = f->groups->pdata[i];
      if (g->name[0] == name[0] && strcmp (g->name, name) == 0)
        return g;
    }
  return NULL;
}

static UnitGroup *
ensure_group (UnitFile *f, const char *name)
{
  UnitGroup *g = find_group (f, name);
  if (g != NULL)
    return g;
  g = unit_group_new (f, name);
  vec_add (f->arena, f->groups, g);
  return g;
}

const char *
unit_file_get_path (const UnitFile *f)
{
  return f->path;
}

const char *
unit_file_get_filename (const UnitFile *f)
{
  return f->filename;
}

void
unit_file_set_path (UnitFile *f, const char *path)
{
  f->path = arena_strdup (f->arena, path);
  if (path != NULL)
    {
      const char *slash = strrchr (path, '/');
      /* g_path_get_basename() but for the cases it treats specially
       * (empty, trailing slashes), which no unit path has. */
      if (slash != NULL && slash[1] != '\0')
        f->filename = arena_strdup (f->arena, slash + 1);
      else
        {
          g_autofree char *base = g_path_get_basename (path);
          f->filename = arena_strdup (f->arena, base);
        }
    }
}

void
unit_file_set_filename (UnitFile *f, const char *filename)
{
  f->filename = arena_strdup (f->arena, filename);
}

/* ------------------------------------------------------------ parsing */

typedef struct {
  UnitFile *file;
  UnitGroup *current;
  Vec *pending_comments; /* UnitLine* not yet placed */
  const char *source;
} Parser;

static gboolean
is_trim_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void
flush_pending_comments (Parser *p, gboolean to_comment)
{
  Vec *pending = p->pending_comments;

  if (pending->len == 0)
    return;
  for (guint i = 0; i < pending->len; i++)
    {
      UnitLine *l = pending->pdata[i];
      if (to_comment)
        vec_add (p->file->arena, p->current->comments, l);
      else
        unit_group_append (p->current, l);
    }
  pending->len = 0;
}

/* A short, printable excerpt of @line for messages (lines can be huge). */
static char *
excerpt (const char *line)
{
  g_autofree char *valid = g_utf8_make_valid (line, MIN ((gssize) strlen (line), 80));
  return g_strdup_printf ("%s%s", valid, strlen (line) > 80 ? "…" : "");
}

/* One trimmed line, @len bytes at @line (not NUL-terminated). */
static gboolean
parse_line (Parser *p, const char *line, gsize len, int lineno, GError **error)
{
  const char *where = p->source ? p->source : "<input>";
  Arena *arena = p->file->arena;
  const char *end, *eq;

  if (len == 0 || line[0] == '#' || line[0] == ';')
    {
      UnitLine *l = arena_alloc (arena, sizeof (UnitLine));
      l->key = NULL;
      l->hash = 0;
      l->value = arena_strndup (arena, line, len);
      l->source = p->source;
      l->lineno = lineno;
      vec_add (arena, p->pending_comments, l);
      return TRUE;
    }

  if (line[0] == '[' && (end = memchr (line, ']', len)) != NULL)
    {
      const char *e = end + 1;
      while (e < line + len && (*e == ' ' || *e == '\t'))
        e++;
      if (e == line + len)
        {
          gsize n = (gsize) (end - line - 1);
          g_autofree char *name = g_strndup (line + 1, n);

          if (n == 0 || memchr (name, '[', n) != NULL)
            return g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_SYNTAX,
                                "%s:%d: invalid group name '%s'", where, lineno, name),
                   FALSE;
          for (const char *c = name; *c; c++)
            if (g_ascii_iscntrl (*c))
              return g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_SYNTAX,
                                  "%s:%d: invalid group name (control character)", where, lineno),
                     FALSE;

          p->current = ensure_group (p->file, name);
          if (p->pending_comments->len > 0)
            {
              UnitLine *first = p->pending_comments->pdata[0];
              /* One blank line between groups is dropped here and re-added
               * when writing, so round trips don't grow. Not before the
               * first group: nothing re-adds it there. */
              if (first->value[0] == '\0' && p->current != p->file->groups->pdata[0])
                vec_remove_index (p->pending_comments, 0);
              flush_pending_comments (p, TRUE);
            }
          return TRUE;
        }
    }

  /* A '[' line that is no group header is no key either (Quadlet and
   * systemd refuse it): as a key "[" it was written back as a line the
   * next read took for a header (found by tests/fuzz, unitfile). */
  if (line[0] == '[')
    goto invalid;

  eq = memchr (line, '=', len);
  if (eq != NULL && eq != line)
    {
      const char *kend = eq, *vstart = eq + 1, *lend = line + len;
      UnitLine *l;
      char *copy;

      if (p->current == NULL)
        return g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_SYNTAX,
                            "%s:%d: key file does not start with a group", where, lineno),
               FALSE;
      while (kend > line && is_trim_space (kend[-1]))
        kend--;
      if (kend == line || line[0] == ' ')
        {
          g_autofree char *key = g_strndup (line, (gsize) (kend - line));
          return g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_SYNTAX,
                              "%s:%d: invalid key name '%s'", where, lineno, key),
                 FALSE;
        }
      while (vstart < lend && is_trim_space (*vstart))
        vstart++;
      if (p->pending_comments->len > 0)
        flush_pending_comments (p, FALSE);
      /* One allocation holds the line record and a copy of the line, which
       * holds both strings: the key ends where '=' was. */
      l = arena_alloc (arena, sizeof (UnitLine) + len + 1);
      copy = (char *) (l + 1);
      memcpy (copy, line, len);
      copy[len] = '\0';
      copy[kend - line] = '\0';
      l->key = copy;
      l->hash = key_hash_len (copy, (gsize) (kend - line));
      l->value = copy + (vstart - line);
      l->source = p->source;
      l->lineno = lineno;
      unit_group_append (p->current, l);
      return TRUE;
    }

invalid:
  {
    g_autofree char *copy = g_strndup (line, len);
    g_autofree char *ex = excerpt (copy);
    g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_SYNTAX,
                 "%s:%d: “%s” is not a key-value pair, group, or comment", where, lineno, ex);
  }
  return FALSE;
}

gboolean
unit_file_parse_into (UnitFile *f, const char *data, gssize len, const char *path, GError **error)
{
  /* Lines name their file: the file's own path when it is that (it lives
   * as long as they do), else an interned copy. */
  Parser p = { f, NULL, NULL,
               path == NULL                                       ? NULL
               : f->path != NULL && strcmp (f->path, path) == 0 ? f->path
                                                                : g_intern_string (path) };
  g_autoptr (GString) remaining = NULL; /* a continued line so far */
  gsize n = len < 0 ? strlen (data) : (gsize) len;
  const char *where = path ? path : "<input>";
  const char *s, *end;
  int lineno = 0, remaining_start = 0;

  p.pending_comments = vec_new (f->arena, 4);

  if (memchr (data, '\0', n) != NULL)
    {
      const char *nul = memchr (data, '\0', n);
      int ln = 1;
      for (const char *c = data; c < nul; c++)
        ln += *c == '\n';
      return g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_INVALID,
                          "%s:%d: contains a NUL byte (not a text file?)", where, ln),
             FALSE;
    }

  if (n > 0 && data[n - 1] == '\n')
    n--;
  s = data;
  end = data + n;
  for (;;)
    {
      const char *nl = memchr (s, '\n', (gsize) (end - s));
      const char *le = nl ? nl : end;
      gboolean last = nl == NULL;
      const char *a = s, *b = le;

      lineno++;
      while (a < b && is_trim_space (*a))
        a++;
      while (b > a && is_trim_space (b[-1]))
        b--;

      if (a == b || *a == '#' || *a == ';')
        {
          if (remaining != NULL && remaining->len > 0)
            goto next; /* comments inside a continuation are dropped */
        }
      else
        {
          if (b[-1] == '\\')
            {
              b--;
              if (!last)
                {
                  if (remaining == NULL)
                    remaining = g_string_new (NULL);
                  if (remaining->len == 0)
                    remaining_start = lineno;
                  g_string_append_len (remaining, a, b - a);
                  goto next;
                }
            }
          if (remaining != NULL && remaining->len > 0)
            {
              g_string_append_len (remaining, a, b - a);
              if (!parse_line (&p, remaining->str, remaining->len, remaining_start, error))
                return FALSE;
              g_string_truncate (remaining, 0);
              goto next;
            }
        }
      if (!parse_line (&p, a, (gsize) (b - a), lineno, error))
        return FALSE;
    next:
      if (last)
        break;
      s = nl + 1;
    }

  if (p.current == NULL)
    p.current = ensure_group (f, ""); /* comment-only file */
  flush_pending_comments (&p, FALSE);
  return TRUE;
}

UnitFile *
unit_file_parse (const char *data, gssize len, const char *path, GError **error)
{
  /* Parsed, a unit file takes about three times its text plus a fixed
   * part (measured over varied files); an arena of that size keeps the
   * many files a generator holds at once small. */
  gsize n = len < 0 ? strlen (data) : (gsize) len;
  g_autoptr (UnitFile) f = unit_file_new_in (arena_new_sized (n * 3 + 768 + (path ? 2 * strlen (path) : 0)));

  unit_file_set_path (f, path);
  if (!unit_file_parse_into (f, data, len, path, error))
    return NULL;
  return g_steal_pointer (&f);
}

/* Unit files are small: most are read in one read(2) into this much stack. */
#define LOAD_BUFFER 16384

/* Why PATH is not read, for a file that is not regular: a generator runs at
 * boot and must neither block on a FIFO nor read /dev/zero forever. */
static gboolean
check_regular (const char *path, const struct stat *st, GError **error)
{
  const char *what = S_ISDIR (st->st_mode)    ? "a directory"
                     : S_ISFIFO (st->st_mode) ? "a FIFO"
                     : S_ISCHR (st->st_mode)  ? "a character device"
                     : S_ISBLK (st->st_mode)  ? "a block device"
                     : S_ISSOCK (st->st_mode) ? "a socket"
                                              : NULL;
  if (S_ISREG (st->st_mode))
    return TRUE;
  g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_IO, "%s:1: not a regular file (%s)", path,
               what ? what : "special file");
  return FALSE;
}

static gboolean
too_big (const char *path, GError **error)
{
  g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_IO,
               "%s:1: larger than %d KiB, not a unit file", path, UNIT_FILE_MAX_SIZE / 1024);
  return FALSE;
}

/* Reads a unit file from FD (opened O_NONBLOCK): a regular file of at most
 * UNIT_FILE_MAX_SIZE bytes. IS_REGULAR: the caller knows it from the
 * directory entry, so a short first read is the end (three system calls
 * for the usual file). */
static UnitFile *
load_fd (int fd, const char *path, gboolean is_regular, GError **error)
{
  char buf[LOAD_BUFFER];
  g_autofree char *data = NULL;
  struct stat st;
  gsize len = 0, cap;
  ssize_t n;

  if (!is_regular)
    {
      if (fstat (fd, &st) < 0)
        return errno_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_IO, errno, "%s", path), NULL;
      if (!check_regular (path, &st, error))
        return NULL;
      if (st.st_size > UNIT_FILE_MAX_SIZE)
        return too_big (path, error), NULL;
    }
  do
    n = read (fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n >= 0 && (gsize) n < sizeof buf)
    return unit_file_parse (buf, n, path, error);

  /* Longer, or growing: read on up to the cap (and one byte more, to see
   * a file over it). */
  cap = sizeof buf * 4;
  data = g_malloc (cap);
  if (n > 0)
    memcpy (data, buf, (gsize) n), len = (gsize) n;
  while (n != 0)
    {
      if (n < 0)
        {
          if (errno == EINTR)
            {
              n = 1;
              continue;
            }
          return errno_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_IO, errno, "%s", path),
                 NULL;
        }
      if (len > UNIT_FILE_MAX_SIZE)
        return too_big (path, error), NULL;
      if (len == cap)
        data = g_realloc (data, cap *= 2);
      n = read (fd, data + len, MIN (cap - len, (gsize) UNIT_FILE_MAX_SIZE + 1 - len));
      if (n > 0)
        len += (gsize) n;
    }
  return unit_file_parse (data, (gssize) len, path, error);
}

UnitFile *
unit_file_load (const char *path, GError **error)
{
  return unit_file_load_at (AT_FDCWD, path, path, FALSE, error);
}

UnitFile *
unit_file_load_at (int dirfd, const char *name, const char *path, gboolean is_regular,
                   GError **error)
{
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  autofd int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

  if (fd < 0)
    return errno_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_IO, errno, "%s", path), NULL;
  return load_fd (fd, path, is_regular, error);
}

/* ------------------------------------------------------------ structure */

void
unit_file_merge (UnitFile *dst, const UnitFile *src)
{
  for (guint i = 0; i < src->groups->len; i++)
    {
      UnitGroup *sg = src->groups->pdata[i];
      unit_group_merge (dst, ensure_group (dst, sg->name), sg, FALSE);
    }
}

UnitFile *
unit_file_dup (const UnitFile *f)
{
  UnitFile *copy = unit_file_new ();

  /* The strings stay where they are; a copy of a copy borrows from the
   * same arena as its original. */
  copy->borrowed = arena_ref (f->borrowed ? f->borrowed : f->arena);
  if (f->borrowed != NULL)
    {
      /* f's own arena holds strings too (edits of the first copy). */
      unit_file_merge (copy, f);
    }
  else
    for (guint i = 0; i < f->groups->len; i++)
      {
        UnitGroup *sg = f->groups->pdata[i];
        UnitGroup *g = unit_group_new (copy, sg->name);
        vec_add (copy->arena, copy->groups, g);
        unit_group_copy_borrowing (copy, g, sg);
      }
  unit_file_set_filename (copy, f->filename);
  return copy;
}

gboolean
unit_file_has_group (const UnitFile *f, const char *group)
{
  return find_group (f, group) != NULL;
}

void
unit_file_remove_group (UnitFile *f, const char *group)
{
  UnitGroup *g = find_group (f, group);
  if (g == NULL)
    return;
  for (guint i = 0; i < f->groups->len; i++)
    if (f->groups->pdata[i] == g)
      {
        vec_remove_index (f->groups, i);
        break;
      }
  unit_group_clear (g);
}

void
unit_file_rename_group (UnitFile *f, const char *group, const char *new_name)
{
  UnitGroup *g = find_group (f, group);
  UnitGroup *ng;

  if (g == NULL)
    return;
  ng = find_group (f, new_name);
  if (ng == NULL)
    {
      g->name = arena_strdup (f->arena, new_name);
    }
  else if (ng != g)
    {
      unit_group_merge (f, ng, g, TRUE);
      unit_file_remove_group (f, group);
    }
}

char **
unit_file_list_groups (const UnitFile *f)
{
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; i < f->groups->len; i++)
    g_ptr_array_add (out, g_strdup (((UnitGroup *) f->groups->pdata[i])->name));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

char **
unit_file_list_keys (const UnitFile *f, const char *group)
{
  GPtrArray *out = g_ptr_array_new ();
  UnitGroup *g = find_group (f, group);

  if (g != NULL && g->n_keys <= UNIT_GROUP_SCAN_MAX)
    {
      /* Few lines: a scan for an earlier line of the key is cheapest. */
      for (guint i = 0; i < g->lines->len; i++)
        {
          UnitLine *l = g->lines->pdata[i];
          if (l->key != NULL && unit_group_find_first (g, l) == l)
            g_ptr_array_add (out, g_strdup (l->key));
        }
    }
  else if (g != NULL)
    {
      g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < g->lines->len; i++)
        {
          UnitLine *l = g->lines->pdata[i];
          if (l->key != NULL && g_hash_table_add (seen, l->key))
            g_ptr_array_add (out, g_strdup (l->key));
        }
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

const char *
unit_file_find_key (const UnitFile *f, const char *group,
                    gboolean (*match) (const char *key, gpointer data), gpointer data)
{
  UnitGroup *g = find_group (f, group);

  if (g == NULL)
    return NULL;
  for (guint i = 0; i < g->lines->len; i++)
    {
      UnitLine *l = g->lines->pdata[i];
      if (l->key != NULL && match (l->key, data))
        return l->key;
    }
  return NULL;
}

const char *
unit_file_find_value (const UnitFile *f, const char *group,
                      gboolean (*match) (const char *value, gpointer data), gpointer data)
{
  UnitGroup *g = find_group (f, group);

  if (g == NULL)
    return NULL;
  for (guint i = 0; i < g->lines->len; i++)
    {
      UnitLine *l = g->lines->pdata[i];
      if (l->key != NULL && match (l->value, data))
        return l->key;
    }
  return NULL;
}

/* ------------------------------------------------------------ lookups */

static UnitLine *
find_last_line (const UnitFile *f, const char *group, const char *key)
{
  UnitGroup *g = find_group (f, group);
  return g ? unit_group_find_last (g, key) : NULL;
}

const char *
unit_file_lookup_last_raw (const UnitFile *f, const char *group, const char *key)
{
  UnitLine *l = find_last_line (f, group, key);
  return l ? l->value : NULL;
}

gboolean
unit_file_has_key (const UnitFile *f, const char *group, const char *key)
{
  return find_last_line (f, group, key) != NULL;
}

int
unit_file_lookup_line (const UnitFile *f, const char *group, const char *key, const char **source)
{
  UnitLine *l = find_last_line (f, group, key);
  if (source)
    *source = l ? l->source : NULL;
  return l ? l->lineno : 0;
}

/* Values never hold a raw "\\\n" after parsing (continuations are joined
 * at read time), but values set programmatically may; drop them like
 * Quadlet's applyLineContinuation. */
static char *
apply_line_continuation (const char *raw)
{
  GString *s;
  if (strstr (raw, "\\\n") == NULL)
    return g_strdup (raw);
  s = g_string_new (NULL);
  for (const char *p = raw; *p; p++)
    {
      if (p[0] == '\\' && p[1] == '\n')
        {
          p++;
          continue;
        }
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

char *
unit_file_lookup_last (const UnitFile *f, const char *group, const char *key)
{
  const char *raw = unit_file_lookup_last_raw (f, group, key);
  return raw ? apply_line_continuation (raw) : NULL;
}

char *
unit_file_lookup (const UnitFile *f, const char *group, const char *key)
{
  char *v = unit_file_lookup_last (f, group, key);
  gsize n;

  if (v == NULL)
    return NULL;
  n = strlen (v);
  while (n > 0 && g_ascii_isspace (v[n - 1]))
    v[--n] = '\0';
  if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
    {
      memmove (v, v + 1, n - 2);
      v[n - 2] = '\0';
    }
  return v;
}

gboolean
unit_file_lookup_boolean (const UnitFile *f, const char *group, const char *key, gboolean *value)
{
  g_autofree char *v = unit_file_lookup (f, group, key);
  if (v == NULL)
    {
      if (value)
        *value = FALSE;
      return FALSE;
    }
  if (value)
    *value = g_ascii_strcasecmp (v, "1") == 0 || g_ascii_strcasecmp (v, "yes") == 0 ||
             g_ascii_strcasecmp (v, "true") == 0 || g_ascii_strcasecmp (v, "on") == 0;
  return TRUE;
}

gboolean
unit_file_lookup_boolean_default (const UnitFile *f, const char *group, const char *key,
                                  gboolean def)
{
  gboolean v;
  return unit_file_lookup_boolean (f, group, key, &v) ? v : def;
}

/* strtol-like conversion, as systemd (and Quadlet's convertNumber). */
static gboolean
convert_number (const char *v, gint64 *ret)
{
  gint64 mult = 1;
  guint base = 10;
  char *end = NULL;
  gint64 n;

  if (*v == '+')
    v++;
  else if (*v == '-')
    {
      v++;
      mult = -1;
    }
  if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
    {
      v += 2;
      base = 16;
    }
  else if (v[0] == '0')
    base = 8;
  if (*v == '\0' || *v == '+' || *v == '-' || g_ascii_isspace (*v))
    return FALSE;
  errno = 0;
  n = g_ascii_strtoll (v, &end, base);
  if (errno != 0 || end == v || *end != '\0')
    return FALSE;
  *ret = n * mult;
  return TRUE;
}

gint64
unit_file_lookup_int (const UnitFile *f, const char *group, const char *key, gint64 def)
{
  g_autofree char *v = unit_file_lookup (f, group, key);
  gint64 n;
  if (v == NULL || !convert_number (v, &n))
    return def;
  return n;
}

guint32
unit_file_lookup_uint32 (const UnitFile *f, const char *group, const char *key, guint32 def)
{
  gint64 v = unit_file_lookup_int (f, group, key, def);
  if (v < 0 || v > G_MAXUINT32)
    return def;
  return (guint32) v;
}

static gboolean
lookup_id (const UnitFile *f, const char *group, const char *key, guint32 def, guint32 *ret,
           gboolean is_user, GError **error)
{
  g_autofree char *v = unit_file_lookup (f, group, key);
  gint64 n;

  if (v == NULL)
    {
      if (def == G_MAXUINT32)
        return g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_INVALID, "no key %s", key),
               FALSE;
      *ret = def;
      return TRUE;
    }
  if (convert_number (v, &n))
    {
      if (n < 0 || n >= G_MAXUINT32)
        return g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_INVALID,
                            "invalid numerical %s '%s'", is_user ? "uid" : "gid", v),
               FALSE;
      *ret = (guint32) n;
      return TRUE;
    }
  if (is_user)
    {
      struct passwd pwbuf, *pw = NULL;
      char buf[4096];
      if (getpwnam_r (v, &pwbuf, buf, sizeof buf, &pw) != 0 || pw == NULL)
        return g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_INVALID,
                            "user: unknown user %s", v),
               FALSE;
      *ret = pw->pw_uid;
    }
  else
    {
      struct group grbuf, *gr = NULL;
      char buf[4096];
      if (getgrnam_r (v, &grbuf, buf, sizeof buf, &gr) != 0 || gr == NULL)
        return g_set_error (error, UNIT_FILE_ERROR, UNIT_FILE_ERROR_INVALID,
                            "group: unknown group %s", v),
               FALSE;
      *ret = gr->gr_gid;
    }
  return TRUE;
}

gboolean
unit_file_lookup_uid (const UnitFile *f, const char *group, const char *key, guint32 def,
                      guint32 *ret, GError **error)
{
  return lookup_id (f, group, key, def, ret, TRUE, error);
}

gboolean
unit_file_lookup_gid (const UnitFile *f, const char *group, const char *key, guint32 def,
                      guint32 *ret, GError **error)
{
  return lookup_id (f, group, key, def, ret, FALSE, error);
}

/* The index in @g->lines from which @key's values count (after its last
 * empty assignment), or -1 when @g has no @key. */
static int
values_start (UnitGroup *g, const char *key, guint *hash)
{
  guint first = 0;

  if (g == NULL || unit_group_find_last (g, key) == NULL)
    return -1;
  *hash = key_hash (key);
  for (guint i = 0; i < g->lines->len; i++)
    {
      UnitLine *l = g->lines->pdata[i];
      if (l->hash == *hash && l->value[0] == '\0' && unit_line_is_key (l, key))
        first = i + 1; /* empty assignment resets */
    }
  return (int) first;
}

void
unit_file_foreach_value (const UnitFile *f, const char *group, const char *key,
                         UnitFileValueFunc func, gpointer data)
{
  UnitGroup *g = find_group (f, group);
  guint hash = 0;
  int start = values_start (g, key, &hash);

  if (start < 0)
    return;
  for (guint i = (guint) start; i < g->lines->len; i++)
    {
      UnitLine *l = g->lines->pdata[i];
      gboolean go_on;

      if (l->hash != hash || !unit_line_is_key (l, key))
        continue;
      if (strstr (l->value, "\\\n") != NULL)
        {
          g_autofree char *joined = apply_line_continuation (l->value);
          go_on = func (joined, data);
        }
      else
        go_on = func (l->value, data);
      if (!go_on)
        return;
    }
}

static GPtrArray *
lookup_all (const UnitFile *f, const char *group, const char *key, gboolean raw)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  UnitGroup *g = find_group (f, group);

  if (g == NULL || unit_group_find_last (g, key) == NULL)
    return out;
  for (guint i = 0; i < g->lines->len; i++)
    {
      UnitLine *l = g->lines->pdata[i];
      if (!unit_line_is_key (l, key))
        continue;
      if (l->value[0] == '\0')
        g_ptr_array_set_size (out, 0); /* empty assignment resets */
      else
        g_ptr_array_add (out, raw ? g_strdup (l->value) : apply_line_continuation (l->value));
    }
  return out;
}

/* An empty vector (g_strfreev): g_malloc, which takes malloc's per-thread
 * cache, not calloc. */
static char **
empty_strv (void)
{
  char **v = g_new (char *, 1);
  v[0] = NULL;
  return v;
}

static char **
to_strv (GPtrArray *a)
{
  g_ptr_array_add (a, NULL);
  g_ptr_array_set_free_func (a, NULL);
  return (char **) g_ptr_array_free (a, FALSE);
}

char **
unit_file_lookup_all_raw (const UnitFile *f, const char *group, const char *key)
{
  if (!unit_file_has_key (f, group, key))
    return empty_strv (); /* most keys are absent: no array to build */
  return to_strv (lookup_all (f, group, key, TRUE));
}

char **
unit_file_lookup_all (const UnitFile *f, const char *group, const char *key)
{
  if (!unit_file_has_key (f, group, key))
    return empty_strv ();
  return to_strv (lookup_all (f, group, key, FALSE));
}

typedef struct {
  GPtrArray *out;
  SplitFlags flags;
} SplitAll;

static gboolean
split_value (const char *value, gpointer data)
{
  SplitAll *s = data;
  split_string_append (s->out, value, WHITESPACE_SEPARATORS, s->flags, NULL);
  return TRUE;
}

static char **
lookup_all_split (const UnitFile *f, const char *group, const char *key, SplitFlags flags)
{
  SplitAll s;

  if (!unit_file_has_key (f, group, key))
    return empty_strv ();
  s.out = g_ptr_array_new_with_free_func (g_free);
  s.flags = flags;
  unit_file_foreach_value (f, group, key, split_value, &s);
  return to_strv (s.out);
}

char **
unit_file_lookup_all_strv (const UnitFile *f, const char *group, const char *key)
{
  return lookup_all_split (f, group, key, SPLIT_RETAIN_ESCAPE | SPLIT_UNQUOTE);
}

char **
unit_file_lookup_all_args (const UnitFile *f, const char *group, const char *key)
{
  return lookup_all_split (f, group, key, SPLIT_EXEC);
}

gboolean
unit_file_lookup_last_args (const UnitFile *f, const char *group, const char *key, char ***ret,
                            GError **error)
{
  g_autofree char *v = unit_file_lookup_last (f, group, key);

  *ret = NULL;
  if (v == NULL)
    return TRUE;
  *ret = split_string (v, WHITESPACE_SEPARATORS, SPLIT_EXEC, error);
  return *ret != NULL;
}

typedef struct {
  Arena *arena;
  Vec *words;
} WordSink;

static void
keep_word (const char *word, gsize len, gpointer data)
{
  WordSink *sink = data;
  vec_add (sink->arena, sink->words, arena_strndup (sink->arena, word, len));
}

/* The Environment=-style words of @key's values (after the last empty
 * assignment), in order, in @arena; problems are appended to @warnings. */
static Vec *
key_val_words (const UnitFile *f, const char *group, const char *key, GPtrArray *warnings,
               Arena *arena)
{
  WordSink sink = { arena, vec_new (arena, 8) };
  UnitGroup *g = find_group (f, group);
  guint hash = 0;
  int first = values_start (g, key, &hash);

  if (first < 0)
    return sink.words;
  for (guint i = (guint) first; i < g->lines->len; i++)
    {
      UnitLine *l = g->lines->pdata[i];
      g_autoptr (GError) error = NULL;
      g_autofree char *joined = NULL;
      const char *value = l->value;
      gboolean saw_assignment = FALSE;
      guint start = sink.words->len;

      if (l->hash != hash || !unit_line_is_key (l, key))
        continue;
      if (strstr (value, "\\\n") != NULL)
        value = joined = apply_line_continuation (value);
      if (!split_string_foreach (value, WHITESPACE_SEPARATORS, SPLIT_EXEC, keep_word, &sink,
                                 &error))
        {
          sink.words->len = start; /* none of a value that does not split */
          if (warnings)
            g_ptr_array_add (warnings, g_strdup (error->message));
          continue;
        }
      for (guint w = start; w < sink.words->len; w++)
        {
          const char *word = sink.words->pdata[w];
          if (strchr (word, '=') != NULL)
            saw_assignment = TRUE;
          else if (saw_assignment && warnings)
            g_ptr_array_add (warnings,
                             g_strdup_printf ("%s=: token \"%s\" has no '=' and follows a "
                                              "KEY=VALUE on the same line; this usually means an "
                                              "earlier value contained unquoted whitespace and was "
                                              "truncated. Wrap values containing spaces in double "
                                              "quotes, e.g. %s=\"KEY=value with spaces\"",
                                              key, word, key));
        }
    }
  return sink.words;
}

GHashTable *
unit_file_lookup_all_key_val (const UnitFile *f, const char *group, const char *key,
                              GPtrArray *warnings)
{
  g_autoptr (Arena) arena = arena_new ();
  Vec *words = key_val_words (f, group, key, warnings, arena);
  /* Each entry is one string, "KEY\0VALUE": the value points into its
   * key's allocation and goes with it (replacing a key frees the old one). */
  GHashTable *res = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint w = 0; w < words->len; w++)
    {
      char *word = g_strdup (words->pdata[w]);
      char *eq = strchr (word, '=');
      if (eq != NULL)
        {
          *eq = '\0';
          g_hash_table_replace (res, word, eq + 1);
        }
      else
        g_hash_table_replace (res, word, NULL);
    }
  return res;
}

typedef struct {
  const char *word;
  gsize key_len; /* up to the first '=' */
  guint index;
} KeyWord;

static int
compare_key_words (const KeyWord *x, const KeyWord *y)
{
  int r = memcmp (x->word, y->word, MIN (x->key_len, y->key_len));

  /* strcmp() of the keys alone, then source order */
  if (r == 0 && x->key_len != y->key_len)
    r = x->key_len < y->key_len ? -1 : 1;
  if (r == 0)
    r = x->index < y->index ? -1 : 1;
  return r;
}

void
unit_file_foreach_key_val_word (const UnitFile *f, const char *group, const char *key,
                                GPtrArray *warnings, UnitFileValueFunc func, gpointer data)
{
  g_autoptr (Arena) arena = NULL;
  KeyWord *sorted;
  Vec *words;

  if (!unit_file_has_key (f, group, key))
    return;
  arena = arena_new ();
  words = key_val_words (f, group, key, warnings, arena);
  sorted = arena_alloc (arena, (words->len + 1) * sizeof (KeyWord));
  for (guint w = 0; w < words->len; w++)
    {
      const char *word = words->pdata[w];
      sorted[w].word = word;
      sorted[w].key_len = strcspn (word, "=");
      sorted[w].index = w;
    }
  /* A handful of words: insertion sort (qsort would allocate). */
  for (guint w = 1; w < words->len; w++)
    {
      KeyWord k = sorted[w];
      guint j = w;
      for (; j > 0 && compare_key_words (&sorted[j - 1], &k) > 0; j--)
        sorted[j] = sorted[j - 1];
      sorted[j] = k;
    }
  for (guint w = 0; w < words->len; w++)
    {
      /* Later words of a key win: keep the last of each run. */
      if (w + 1 < words->len && sorted[w].key_len == sorted[w + 1].key_len &&
          memcmp (sorted[w].word, sorted[w + 1].word, sorted[w].key_len) == 0)
        continue;
      if (!func (sorted[w].word, data))
        return;
    }
}

/* ------------------------------------------------------------ edits */

void
unit_file_set (UnitFile *f, const char *group, const char *key, const char *value)
{
  UnitGroup *g = ensure_group (f, group);
  UnitLine *l = unit_group_find_last (g, key);
  if (l != NULL)
    {
      l->value = arena_strdup (f->arena, value);
    }
  else
    unit_group_append (g, unit_line_new (f, key, value, NULL, 0));
}

void
unit_file_add (UnitFile *f, const char *group, const char *key, const char *value)
{
  unit_group_append (ensure_group (f, group), unit_line_new (f, key, value, NULL, 0));
}

void
unit_file_add_escaped (UnitFile *f, const char *group, const char *key, const char *value)
{
  g_autoptr (GString) s = g_string_new (NULL);
  append_escaped_word (s, value);
  unit_file_add (f, group, key, s->str);
}

void
unit_file_add_cmdline (UnitFile *f, const char *group, const char *key, const char *const *argv)
{
  gsize len;
  const char *line = escape_words_scratch (argv, -1, &len);
  UnitLine *l = arena_alloc (f->arena, sizeof (UnitLine));

  l->key = arena_strdup (f->arena, key);
  l->hash = key_hash (l->key);
  l->value = arena_strndup (f->arena, line, len);
  l->source = NULL;
  l->lineno = 0;
  unit_group_append (ensure_group (f, group), l);
}

void
unit_file_unset (UnitFile *f, const char *group, const char *key)
{
  UnitGroup *g = find_group (f, group);
  if (g == NULL)
    return;
  if (g->index != NULL)
    g_hash_table_remove (g->index, key);
  for (guint i = g->lines->len; i > 0; i--)
    if (unit_line_is_key (g->lines->pdata[i - 1], key))
      vec_remove_index (g->lines, i - 1);
}

static UnitGroup *
comment_group (UnitFile *f, const char *group)
{
  if (group[0] == '\0' && f->groups->len > 0)
    return f->groups->pdata[0];
  return ensure_group (f, group);
}

void
unit_file_add_comment (UnitFile *f, const char *group, const char *comment)
{
  g_autofree char *line = g_strconcat ("# ", comment, NULL);
  vec_add (f->arena, comment_group (f, group)->comments, unit_line_new (f, NULL, line, NULL, 0));
}

void
unit_file_prepend_comment (UnitFile *f, const char *group, const char *comment)
{
  g_autofree char *line = g_strconcat ("# ", comment, NULL);
  vec_insert0 (f->arena, comment_group (f, group)->comments, unit_line_new (f, NULL, line, NULL, 0));
}

void
unit_file_prepend_line (UnitFile *f, const char *group, const char *key, const char *value)
{
  UnitGroup *g = comment_group (f, group);
  UnitLine *l = unit_line_new (f, key, value, NULL, 0);

  vec_insert0 (f->arena, g->lines, l);
  unit_group_note_key (g, l, FALSE);
}

/* ------------------------------------------------------------ output */

gsize
unit_file_find_long_line (const UnitFile *f, gsize max, const char **group, const char **key)
{
  /* Every key and value is in the file's arena or the one it borrows
   * from: when they hold fewer bytes than @max, so does every line. */
  if (arena_used (f->arena) + (f->borrowed ? arena_used (f->borrowed) : 0) < max)
    return 0;
  for (guint i = 0; i < f->groups->len; i++)
    {
      UnitGroup *g = f->groups->pdata[i];
      for (guint j = 0; j < g->lines->len; j++)
        {
          UnitLine *l = g->lines->pdata[j];
          gsize n = strlen (l->value) + (l->key ? strlen (l->key) + 1 : 0);
          if (n > max)
            {
              if (group)
                *group = g->name;
              if (key)
                *key = l->key;
              return n;
            }
        }
    }
  return 0;
}

static inline void
put_line (GString *out, const UnitLine *l)
{
  if (l->key != NULL)
    {
      string_append_run (out, l->key, strlen (l->key));
      string_append_run (out, "=", 1);
    }
  string_append_run (out, l->value, strlen (l->value));
  string_append_run (out, "\n", 1);
}

void
unit_file_append_to (const UnitFile *f, GString *out)
{
  for (guint i = 0; i < f->groups->len; i++)
    {
      UnitGroup *g = f->groups->pdata[i];
      if (i != 0)
        string_append_run (out, "\n", 1);
      for (guint j = 0; j < g->comments->len; j++)
        put_line (out, g->comments->pdata[j]);
      if (g->name[0] == '\0')
        continue;
      string_append_run (out, "[", 1);
      string_append_run (out, g->name, strlen (g->name));
      string_append_run (out, "]\n", 2);
      for (guint j = 0; j < g->lines->len; j++)
        put_line (out, g->lines->pdata[j]);
    }
}

char *
unit_file_to_string_len (const UnitFile *f, gsize *len)
{
  GString *out = g_string_sized_new (4096);

  unit_file_append_to (f, out);
  if (len != NULL)
    *len = out->len;
  return g_string_free (out, FALSE);
}

char *
unit_file_to_string (const UnitFile *f)
{
  return unit_file_to_string_len (f, NULL);
}

/* ------------------------------------------------------------ names */

static char *
strip_ext (const char *filename, const char **ext)
{
  const char *dot = strrchr (filename, '.');
  *ext = dot ? dot : filename + strlen (filename);
  return g_strndup (filename, (gsize) (*ext - filename));
}

gboolean
unit_file_get_template_parts (const UnitFile *f, char **unit_name, char **instance)
{
  const char *ext;
  g_autofree char *base = strip_ext (f->filename ? f->filename : "", &ext);
  char *at = strchr (base, '@');

  if (at == NULL)
    {
      if (unit_name)
        *unit_name = g_strdup (base);
      if (instance)
        *instance = g_strdup ("");
      return FALSE;
    }
  if (unit_name)
    *unit_name = g_strndup (base, (gsize) (at - base));
  if (instance)
    *instance = g_strdup (at + 1);
  return TRUE;
}

char **
unit_file_get_dropin_dirs (const UnitFile *f)
{
  g_autofree char *unit_name = NULL, *instance = NULL;
  gboolean is_template = unit_file_get_template_parts (f, &unit_name, &instance);
  const char *filename = f->filename ? f->filename : "";
  const char *ext = strrchr (filename, '.');
  g_autofree char *dropin_ext = g_strconcat (ext ? ext : "", ".d", NULL);
  GPtrArray *broad = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) parts = g_strsplit (unit_name, "-", -1);
  guint nparts = g_strv_length (parts);
  GPtrArray *out;

  g_ptr_array_add (broad, g_strdup (dropin_ext + 1)); /* "container.d" */
  if (nparts > 1)
    {
      g_autoptr (GString) prefix = g_string_new (NULL);
      for (guint i = 0; i + 1 < nparts; i++)
        {
          g_string_append (prefix, parts[i]);
          g_string_append_c (prefix, '-');
          g_ptr_array_add (broad, g_strconcat (prefix->str, dropin_ext, NULL));
          if (is_template)
            g_ptr_array_add (broad, g_strconcat (prefix->str, "@", dropin_ext, NULL));
        }
    }
  if (instance[0] != '\0')
    g_ptr_array_add (broad, g_strconcat (unit_name, "@", dropin_ext, NULL));
  g_ptr_array_add (broad, g_strconcat (filename, ".d", NULL));

  out = g_ptr_array_new ();
  for (guint i = broad->len; i > 0; i--)
    g_ptr_array_add (out, g_steal_pointer (&broad->pdata[i - 1]));
  g_ptr_array_unref (broad);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}
