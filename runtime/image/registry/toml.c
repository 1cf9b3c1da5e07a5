/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry/toml.h"
#include "image/registry/reference.h"

#include <string.h>

typedef struct
{
  const char *p, *end, *file;
  int line;
  GError **error;
  GHashTable *defined;      /* the tables a [header] named */
  GHashTable *table_arrays; /* the arrays [[header]]s made */
} Reader;

static TomlValue *
value_new (TomlType type)
{
  TomlValue *v = g_new0 (TomlValue, 1);
  v->type = type;
  if (type == TOML_ARRAY || type == TOML_TABLE)
    v->items = g_ptr_array_new_with_free_func ((GDestroyNotify) toml_value_free);
  return v;
}

void
toml_value_free (TomlValue *v)
{
  if (v == NULL)
    return;
  g_free (v->key);
  g_free (v->string);
  if (v->items)
    g_ptr_array_unref (v->items);
  g_free (v);
}

TomlValue *
toml_get (const TomlValue *t, const char *key)
{
  for (guint i = 0; t && t->type == TOML_TABLE && i < t->items->len; i++)
    {
      TomlValue *m = t->items->pdata[i];
      if (strcmp (m->key, key) == 0)
        return m;
    }
  return NULL;
}

char **
toml_dup_strv (const TomlValue *v)
{
  char **out;
  if (v == NULL || v->type != TOML_ARRAY)
    return NULL;
  for (guint i = 0; i < v->items->len; i++)
    if (((TomlValue *) v->items->pdata[i])->type != TOML_STRING)
      return NULL;
  out = g_new0 (char *, v->items->len + 1);
  for (guint i = 0; i < v->items->len; i++)
    out[i] = g_strdup (((TomlValue *) v->items->pdata[i])->string);
  return out;
}

/* Adds @v to the table @t as @key (taken). */
static TomlValue *
table_set (TomlValue *t, char *key, TomlValue *v)
{
  v->key = key;
  g_ptr_array_add (t->items, v);
  return v;
}

static gboolean fail (Reader *r, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Reader *r, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (r->error && *r->error == NULL)
    g_set_error (r->error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID, "%s:%d: %s", r->file, r->line,
                 msg);
  return FALSE;
}

/* Spaces and tabs; with NEWLINES also newlines and comments. */
static void
skip_space (Reader *r, gboolean newlines)
{
  while (r->p < r->end)
    {
      char c = *r->p;
      if (c == ' ' || c == '\t' || (newlines && c == '\r'))
        r->p++;
      else if (newlines && c == '\n')
        r->p++, r->line++;
      else if (newlines && c == '#')
        while (r->p < r->end && *r->p != '\n')
          r->p++;
      else
        break;
    }
}

/* After a value or header: spaces, an optional comment, then a newline or the end. */
static gboolean
end_of_line (Reader *r)
{
  skip_space (r, FALSE);
  if (r->p < r->end && *r->p == '#')
    while (r->p < r->end && *r->p != '\n')
      r->p++;
  if (r->p < r->end && *r->p == '\r')
    r->p++;
  if (r->p < r->end && *r->p != '\n')
    return fail (r, "unexpected '%c' after the value", *r->p);
  if (r->p < r->end)
    r->p++, r->line++;
  return TRUE;
}

static char *
parse_string (Reader *r)
{
  char q = *r->p++;
  GString *s = g_string_new (NULL);
  if (r->p + 1 < r->end && r->p[0] == q && r->p[1] == q)
    {
      fail (r, "multi-line strings are not supported");
      return g_string_free (s, TRUE), NULL;
    }
  while (r->p < r->end && *r->p != q)
    {
      char c = *r->p++;
      if (c == '\n' || (c < 0x20 && c != '\t') || c == 0x7f)
        {
          fail (r, "control character or newline in a string");
          return g_string_free (s, TRUE), NULL;
        }
      if (c != '\\' || q == '\'')
        {
          g_string_append_c (s, c);
          continue;
        }
      if (r->p >= r->end)
        break;
      c = *r->p++;
      switch (c)
        {
        case 'b': g_string_append_c (s, '\b'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case '"': g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case 'u':
        case 'U':
          {
            int n = c == 'u' ? 4 : 8;
            guint32 cp = 0;
            for (int i = 0; i < n; i++)
              {
                if (r->p >= r->end || !g_ascii_isxdigit (*r->p))
                  {
                    fail (r, "bad \\%c escape", c);
                    return g_string_free (s, TRUE), NULL;
                  }
                cp = cp * 16 + g_ascii_xdigit_value (*r->p++);
              }
            if (!g_unichar_validate (cp) || cp == 0)
              {
                fail (r, "\\%c escape is not a valid character", c);
                return g_string_free (s, TRUE), NULL;
              }
            g_string_append_unichar (s, cp);
            break;
          }
        default:
          fail (r, "unknown escape \\%c", c);
          return g_string_free (s, TRUE), NULL;
        }
    }
  if (r->p >= r->end)
    {
      fail (r, "unterminated string");
      return g_string_free (s, TRUE), NULL;
    }
  r->p++;
  if (!g_utf8_validate (s->str, s->len, NULL) || memchr (s->str, 0, s->len))
    {
      fail (r, "a string is not valid UTF-8");
      return g_string_free (s, TRUE), NULL;
    }
  return g_string_free (s, FALSE);
}

static char *
parse_key (Reader *r)
{
  if (r->p < r->end && (*r->p == '"' || *r->p == '\''))
    return parse_string (r);
  const char *start = r->p;
  while (r->p < r->end && (g_ascii_isalnum (*r->p) || *r->p == '_' || *r->p == '-'))
    r->p++;
  if (r->p == start)
    {
      if (r->p < r->end)
        fail (r, "expected a key, found '%c'", *r->p);
      else
        fail (r, "expected a key");
      return NULL;
    }
  return g_strndup (start, r->p - start);
}

static TomlValue *parse_value (Reader *r, int depth);

static TomlValue *
parse_array (Reader *r, int depth)
{
  r->p++;
  g_autoptr (TomlValue) a = value_new (TOML_ARRAY);
  for (;;)
    {
      skip_space (r, TRUE);
      if (r->p < r->end && *r->p == ']')
        {
          r->p++;
          return g_steal_pointer (&a);
        }
      TomlValue *v = parse_value (r, depth + 1);
      if (v == NULL)
        return NULL;
      g_ptr_array_add (a->items, v);
      skip_space (r, TRUE);
      if (r->p < r->end && *r->p == ',')
        r->p++;
      else if (r->p < r->end && *r->p == ']')
        continue;
      else
        return fail (r, "expected ',' or ']' in an array"), NULL;
    }
}

static TomlValue *
parse_value (Reader *r, int depth)
{
  if (depth > 32)
    return fail (r, "arrays nested too deeply"), NULL;
  if (r->p >= r->end || *r->p == '\n' || *r->p == '#')
    return fail (r, "expected a value"), NULL;
  char c = *r->p;
  if (c == '"' || c == '\'')
    {
      char *s = parse_string (r);
      TomlValue *v;
      if (s == NULL)
        return NULL;
      v = value_new (TOML_STRING);
      v->string = s;
      return v;
    }
  if (c == '[')
    return parse_array (r, depth);
  if (c == '{')
    return fail (r, "inline tables are not supported"), NULL;
  const char *start = r->p;
  while (r->p < r->end && (g_ascii_isalnum (*r->p) || strchr ("+-_.:", *r->p)))
    r->p++;
  g_autofree char *word = g_strndup (start, r->p - start);
  if (strcmp (word, "true") == 0 || strcmp (word, "false") == 0)
    {
      TomlValue *b = value_new (TOML_BOOLEAN);
      b->integer = word[0] == 't';
      return b;
    }
  gint64 v;
  g_autofree char *digits = g_strdup (word);
  /* 1_000 */
  char *w = digits;
  for (char *q = digits; *q; q++)
    if (*q != '_')
      *w++ = *q;
  *w = '\0';
  if (*word && !strstr (word, "__") && word[strlen (word) - 1] != '_'
      && g_ascii_string_to_signed (digits, 10, G_MININT64, G_MAXINT64, &v, NULL)
      && (digits[0] != '0' || digits[1] == '\0'))
    {
      TomlValue *i = value_new (TOML_INTEGER);
      i->integer = v;
      return i;
    }
  return fail (r, "unsupported value '%s' (strings are quoted)", word), NULL;
}

/* The table at dotted PATH, created as needed; [[x]] headers append. */
static TomlValue *
open_table (Reader *r, TomlValue *root, char **path, gboolean array, const char *header)
{
  TomlValue *cur = root;
  guint n = g_strv_length (path);
  for (guint i = 0; i < n; i++)
    {
      gboolean last = i + 1 == n;
      TomlValue *m = toml_get (cur, path[i]);
      if (last && array)
        {
          if (m == NULL)
            {
              m = table_set (cur, g_strdup (path[i]), value_new (TOML_ARRAY));
              g_hash_table_add (r->table_arrays, m);
            }
          if (!g_hash_table_contains (r->table_arrays, m))
            return fail (r, "[[%s]]: '%s' is already a value or table", header, path[i]), NULL;
          TomlValue *t = value_new (TOML_TABLE);
          g_ptr_array_add (m->items, t);
          return t;
        }
      if (m == NULL)
        m = table_set (cur, g_strdup (path[i]), value_new (TOML_TABLE));
      else if (!last && g_hash_table_contains (r->table_arrays, m))
        /* [a.b] after [[a]]: the last element of the array of tables. */
        m = m->items->pdata[m->items->len - 1];
      if (m->type != TOML_TABLE)
        return fail (r, "[%s]: '%s' is already a value", header, path[i]), NULL;
      if (last)
        {
          if (g_hash_table_contains (r->defined, m))
            return fail (r, "[%s] is defined twice", header), NULL;
          g_hash_table_add (r->defined, m);
        }
      cur = m;
    }
  return cur;
}

static gboolean
parse_header (Reader *r, TomlValue *root, TomlValue **table)
{
  gboolean array = r->p + 1 < r->end && r->p[1] == '[';
  r->p += array ? 2 : 1;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  for (;;)
    {
      skip_space (r, FALSE);
      char *k = parse_key (r);
      if (k == NULL)
        return FALSE;
      g_ptr_array_add (parts, k);
      skip_space (r, FALSE);
      if (r->p < r->end && *r->p == '.')
        {
          r->p++;
          continue;
        }
      break;
    }
  if (r->p >= r->end || *r->p != ']' || (array && (r->p + 1 >= r->end || r->p[1] != ']')))
    return fail (r, "expected '%s' to close the table header", array ? "]]" : "]");
  r->p += array ? 2 : 1;
  g_ptr_array_add (parts, NULL);
  g_autofree char *header = g_strjoinv (".", (char **)parts->pdata);
  *table = open_table (r, root, (char **)parts->pdata, array, header);
  return *table != NULL && end_of_line (r);
}

TomlValue *
toml_parse (const char *data, gsize len, const char *file, GError **error)
{
  g_autoptr (GHashTable) defined = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) table_arrays = g_hash_table_new (NULL, NULL);
  Reader r = { .p = data, .end = data + len, .file = file, .line = 1, .error = error,
               .defined = defined, .table_arrays = table_arrays };
  g_autoptr (TomlValue) root = value_new (TOML_TABLE);
  TomlValue *table = root;
  if (memchr (data, '\0', len))
    return fail (&r, "the file contains a NUL byte"), NULL;
  for (;;)
    {
      skip_space (&r, TRUE);
      if (r.p >= r.end)
        return g_steal_pointer (&root);
      if (*r.p == '[')
        {
          if (!parse_header (&r, root, &table))
            return NULL;
          continue;
        }
      g_autofree char *key = parse_key (&r);
      if (key == NULL)
        return NULL;
      skip_space (&r, FALSE);
      if (r.p < r.end && *r.p == '.')
        return fail (&r, "dotted keys are not supported: use a [table]"), NULL;
      if (r.p >= r.end || *r.p != '=')
        return fail (&r, "expected '=' after key '%s'", key), NULL;
      r.p++;
      skip_space (&r, FALSE);
      if (toml_get (table, key))
        return fail (&r, "key '%s' is defined twice", key), NULL;
      TomlValue *v = parse_value (&r, 0);
      if (v == NULL)
        return NULL;
      table_set (table, g_steal_pointer (&key), v);
      if (!end_of_line (&r))
        return NULL;
    }
}
