/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/template.h"
#include "image/store.h"

#include <stdio.h>
#include <string.h>

typedef enum
{
  PIECE_TEXT,
  PIECE_FIELD,
} PieceKind;

typedef struct
{
  PieceKind kind;
  char *text; /* literal text, or the dotted path without the leading dot */
  char *func; /* NULL, "json", "upper", "lower" */
} Piece;

struct _CliTemplate
{
  gboolean table;
  GPtrArray *pieces;
  GPtrArray *rows; /* of GStrv cells (table) or of char * lines */
  GHashTable *headers;
};

static void
piece_free (Piece *p)
{
  g_free (p->text);
  g_free (p->func);
  g_free (p);
}

static void
add_text (CliTemplate *t, const char *s, gsize n)
{
  Piece *p = g_new0 (Piece, 1);
  GString *out = g_string_new (NULL);
  for (gsize i = 0; i < n; i++)
    {
      if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n'))
        {
          g_string_append_c (out, s[i + 1] == 't' ? '\t' : '\n');
          i++;
        }
      else
        g_string_append_c (out, s[i]);
    }
  p->kind = PIECE_TEXT;
  p->text = g_string_free (out, FALSE);
  g_ptr_array_add (t->pieces, p);
}

CliTemplate *
cli_template_new (const char *format, GHashTable *headers, GError **error)
{
  g_autoptr (CliTemplate) t = g_new0 (CliTemplate, 1);
  t->pieces = g_ptr_array_new_with_free_func ((GDestroyNotify)piece_free);
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  t->headers = headers ? g_hash_table_ref (headers) : NULL;
  if (g_str_has_prefix (format, "table"))
    {
      t->table = TRUE;
      format += strlen ("table");
      while (*format == ' ')
        format++;
    }
  const char *p = format;
  while (*p)
    {
      const char *open = strstr (p, "{{");
      if (open == NULL)
        {
          add_text (t, p, strlen (p));
          break;
        }
      add_text (t, p, open - p);
      const char *close = strstr (open, "}}");
      if (close == NULL)
        {
          g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "--format: unclosed \"{{\" in '%s'",
                       format);
          return NULL;
        }
      g_autofree char *inner = g_strstrip (g_strndup (open + 2, close - open - 2));
      g_auto (GStrv) words = g_strsplit_set (inner, " \t", -1);
      guint nw = 0;
      const char *w[3] = { NULL };
      for (char **x = words; *x; x++)
        if (**x && nw < 3)
          w[nw++] = *x;
      Piece *pc = g_new0 (Piece, 1);
      pc->kind = PIECE_FIELD;
      const char *path = nw == 1 ? w[0] : nw == 2 ? w[1] : NULL;
      if (nw == 2)
        pc->func = g_strdup (w[0]);
      if (path == NULL || path[0] != '.'
          || (pc->func && strcmp (pc->func, "json") != 0 && strcmp (pc->func, "upper") != 0
              && strcmp (pc->func, "lower") != 0))
        {
          piece_free (pc);
          g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                       "--format: unsupported template action \"{{%s}}\"", inner);
          return NULL;
        }
      pc->text = g_strdup (path + 1);
      g_ptr_array_add (t->pieces, pc);
      p = close + 2;
    }
  return g_steal_pointer (&t);
}

void
cli_template_free (CliTemplate *t)
{
  if (t == NULL)
    return;
  g_ptr_array_unref (t->pieces);
  g_ptr_array_unref (t->rows);
  if (t->headers)
    g_hash_table_unref (t->headers);
  g_free (t);
}

/* Go's default formatting of a value: strings bare, arrays "[a b]",
 * objects "map[k:v]". */
static void
format_go (GString *out, JsonNode *n)
{
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    g_string_append (out, "<no value>");
  else if (JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);
      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          if (i)
            g_string_append_c (out, ' ');
          format_go (out, json_array_get_element (a, i));
        }
      g_string_append_c (out, ']');
    }
  else if (JSON_NODE_HOLDS_OBJECT (n))
    {
      JsonObject *o = json_node_get_object (n);
      g_autoptr (GList) keys
          = g_list_sort (json_object_get_members (o), (GCompareFunc)(void *)strcmp);
      g_string_append (out, "map[");
      for (GList *l = keys; l; l = l->next)
        {
          if (l != keys)
            g_string_append_c (out, ' ');
          g_string_append_printf (out, "%s:", (char *)l->data);
          format_go (out, json_object_get_member (o, l->data));
        }
      g_string_append_c (out, ']');
    }
  else if (json_node_get_value_type (n) == G_TYPE_STRING)
    g_string_append (out, json_node_get_string (n));
  else if (json_node_get_value_type (n) == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (n) ? "true" : "false");
  else if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    g_string_append_printf (out, "%g", json_node_get_double (n));
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (n));
}

static JsonNode *
lookup (JsonObject *row, const char *path, JsonNode *whole)
{
  if (*path == '\0')
    return whole;
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  JsonObject *o = row;
  JsonNode *n = NULL;
  for (char **p = parts; *p; p++)
    {
      if (o == NULL || !json_object_has_member (o, *p))
        return NULL;
      n = json_object_get_member (o, *p);
      o = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
    }
  return n;
}

gboolean
cli_template_add_row (CliTemplate *t, JsonObject *row, GError **error)
{
  g_autoptr (JsonNode) whole = json_node_init_object (json_node_alloc (), row);
  GString *line = g_string_new (NULL);
  for (guint i = 0; i < t->pieces->len; i++)
    {
      Piece *p = t->pieces->pdata[i];
      if (p->kind == PIECE_TEXT)
        {
          g_string_append (line, p->text);
          continue;
        }
      JsonNode *n = lookup (row, p->text, whole);
      if (n == NULL)
        {
          g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                       "--format: template: can't evaluate field %s", p->text);
          g_string_free (line, TRUE);
          return FALSE;
        }
      if (p->func && strcmp (p->func, "json") == 0)
        {
          g_autoptr (JsonGenerator) g = json_generator_new ();
          json_generator_set_root (g, n);
          g_autofree char *s = json_generator_to_data (g, NULL);
          g_string_append (line, s);
        }
      else
        {
          GString *v = g_string_new (NULL);
          format_go (v, n);
          g_autofree char *s = g_string_free (v, FALSE);
          g_autofree char *c = p->func == NULL                  ? g_strdup (s)
                               : strcmp (p->func, "upper") == 0 ? g_utf8_strup (s, -1)
                                                                : g_utf8_strdown (s, -1);
          g_string_append (line, c);
        }
    }
  g_autofree char *text = g_string_free (line, FALSE);
  g_ptr_array_add (t->rows, g_strsplit (text, "\t", -1));
  return TRUE;
}

static char *
header_for (CliTemplate *t, const char *field)
{
  const char *h = t->headers ? g_hash_table_lookup (t->headers, field) : NULL;
  return h ? g_strdup (h) : g_ascii_strup (field, -1);
}

void
cli_print_table (GPtrArray *rows)
{
  g_autoptr (GArray) widths = g_array_new (FALSE, TRUE, sizeof (gsize));
  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = rows->pdata[r];
      for (guint c = 0; cells[c]; c++)
        {
          if (c >= widths->len)
            g_array_set_size (widths, c + 1);
          gsize w = g_utf8_strlen (cells[c], -1);
          if (w > g_array_index (widths, gsize, c))
            g_array_index (widths, gsize, c) = w;
        }
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = rows->pdata[r];
      GString *line = g_string_new (NULL);
      for (guint c = 0; cells[c]; c++)
        {
          g_string_append (line, cells[c]);
          if (cells[c + 1] == NULL)
            break;
          gsize w = MAX (g_array_index (widths, gsize, c) + 2, 12);
          for (gsize k = g_utf8_strlen (cells[c], -1); k < w; k++)
            g_string_append_c (line, ' ');
        }
      puts (line->str);
      g_string_free (line, TRUE);
    }
}

void
cli_template_print (CliTemplate *t)
{
  if (!t->table)
    {
      for (guint r = 0; r < t->rows->len; r++)
        {
          g_autofree char *line = g_strjoinv ("\t", t->rows->pdata[r]);
          puts (line);
        }
      return;
    }
  /* The header: the template rendered with each field's header. */
  GString *h = g_string_new (NULL);
  for (guint i = 0; i < t->pieces->len; i++)
    {
      Piece *p = t->pieces->pdata[i];
      if (p->kind == PIECE_TEXT)
        g_string_append (h, p->text);
      else
        {
          g_autofree char *name = header_for (t, p->text);
          g_string_append (h, name);
        }
    }
  g_autofree char *header = g_string_free (h, FALSE);
  g_ptr_array_insert (t->rows, 0, g_strsplit (header, "\t", -1));
  cli_print_table (t->rows);
}
