/* SPDX-License-Identifier: Apache-2.0 */
/* A small Go text/template interpreter over JSON rows (see template.h). */
#include "cli/template.h"
#include "names.h"
#include "image/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum
{
  ARG_FIELD, /* .A.B relative to dot ("" is dot itself) */
  ARG_ROOT,  /* $ or $.A.B */
  ARG_STRING,
  ARG_NUMBER,
  ARG_BOOL,
  ARG_FUNC, /* an identifier */
  ARG_PIPE, /* a parenthesized pipeline */
} ArgKind;

typedef struct
{
  ArgKind kind;
  char *text;       /* field path, string value, function name */
  double number;
  GPtrArray *pipe;  /* ARG_PIPE: of Cmd */
  GPtrArray *chain; /* ARG_PIPE: ".A.B" after the parenthesis, or NULL */
} Arg;

typedef GPtrArray Cmd; /* of Arg */

typedef enum
{
  NODE_TEXT,
  NODE_ACTION,
  NODE_RANGE,
  NODE_IF,
  NODE_WITH,
} NodeKind;

typedef struct
{
  NodeKind kind;
  char *text;
  char *field;     /* NODE_ACTION with a lone field: its name, for table headers */
  GPtrArray *pipe; /* of Cmd */
  GPtrArray *body, *else_body; /* of Node */
} Node;

struct _CliTemplate
{
  gboolean table;
  GPtrArray *nodes;
  GPtrArray *rows; /* of GStrv cells */
  GHashTable *headers;
};

static void arg_free (Arg *a);

static GPtrArray *
pipe_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
}

static void
arg_free (Arg *a)
{
  g_free (a->text);
  if (a->pipe)
    g_ptr_array_unref (a->pipe);
  g_free (a);
}

static void
node_free (Node *n)
{
  g_free (n->text);
  g_free (n->field);
  if (n->pipe)
    g_ptr_array_unref (n->pipe);
  if (n->body)
    g_ptr_array_unref (n->body);
  if (n->else_body)
    g_ptr_array_unref (n->else_body);
  g_free (n);
}

static GPtrArray *
nodes_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
}

/* ---- parsing ---- */

typedef struct
{
  const char *p; /* in the action's text */
  const char *whole;
  GError **error;
} Lexer;

static gboolean
fail (GError **error, const char *fmt, const char *what)
{
  g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, fmt, what);
  return FALSE;
}

static void
skip_space (Lexer *l)
{
  while (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r')
    l->p++;
}

static gboolean parse_pipe (Lexer *l, GPtrArray *pipe, char close);

static gboolean
is_ident (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* A ".A.B" chain (possibly just "."); returns the path without the dot. */
static char *
read_path (Lexer *l)
{
  const char *s = l->p;
  while (*l->p == '.' || is_ident (*l->p))
    l->p++;
  return g_strndup (s + 1, l->p - s - 1);
}

static gboolean
parse_arg (Lexer *l, Cmd *cmd)
{
  Arg *a = g_new0 (Arg, 1);
  const char *s = l->p;
  if (*s == '.')
    {
      a->kind = ARG_FIELD;
      a->text = read_path (l);
    }
  else if (*s == '$')
    {
      l->p++;
      a->kind = ARG_ROOT;
      a->text = *l->p == '.' ? read_path (l) : g_strdup ("");
    }
  else if (*s == '"' || *s == '`')
    {
      GString *str = g_string_new (NULL);
      char q = *s;
      for (l->p++; *l->p && *l->p != q; l->p++)
        {
          char c = *l->p;
          if (q == '"' && c == '\\' && l->p[1])
            {
              l->p++;
              c = *l->p == 'n' ? '\n' : *l->p == 't' ? '\t' : *l->p == 'r' ? '\r' : *l->p;
            }
          g_string_append_c (str, c);
        }
      if (*l->p != q)
        {
          g_string_free (str, TRUE);
          arg_free (a);
          return fail (l->error, "--format: template: unterminated quoted string in \"%s\"",
                       l->whole);
        }
      l->p++;
      a->kind = ARG_STRING;
      a->text = g_string_free (str, FALSE);
    }
  else if (g_ascii_isdigit (*s) || (*s == '-' && g_ascii_isdigit (s[1])))
    {
      char *end;
      a->kind = ARG_NUMBER;
      a->number = g_ascii_strtod (s, &end);
      l->p = end;
    }
  else if (*s == '(')
    {
      l->p++;
      a->kind = ARG_PIPE;
      a->pipe = pipe_new ();
      if (!parse_pipe (l, a->pipe, ')'))
        {
          arg_free (a);
          return FALSE;
        }
      l->p++;
      if (*l->p == '.')
        a->text = read_path (l);
    }
  else if (g_ascii_isalpha (*s) || *s == '_')
    {
      while (is_ident (*l->p))
        l->p++;
      a->text = g_strndup (s, l->p - s);
      if (strcmp (a->text, "true") == 0 || strcmp (a->text, "false") == 0)
        a->kind = ARG_BOOL;
      else
        a->kind = ARG_FUNC;
    }
  else
    {
      arg_free (a);
      return fail (l->error, "--format: template: unexpected character in \"%s\"", l->whole);
    }
  g_ptr_array_add (cmd, a);
  return TRUE;
}

/* Commands separated by '|' up to @close ('\0' or ')'). */
static gboolean
parse_pipe (Lexer *l, GPtrArray *pipe, char close)
{
  Cmd *cmd = g_ptr_array_new_with_free_func ((GDestroyNotify) arg_free);
  g_ptr_array_add (pipe, cmd);
  for (;;)
    {
      skip_space (l);
      if (*l->p == close)
        break;
      if (*l->p == '\0')
        return fail (l->error, "--format: template: unclosed parenthesis in \"%s\"", l->whole);
      if (*l->p == '|')
        {
          if (cmd->len == 0)
            return fail (l->error, "--format: template: missing command in \"%s\"", l->whole);
          l->p++;
          cmd = g_ptr_array_new_with_free_func ((GDestroyNotify) arg_free);
          g_ptr_array_add (pipe, cmd);
          continue;
        }
      if (!parse_arg (l, cmd))
        return FALSE;
    }
  if (cmd->len == 0)
    return fail (l->error, "--format: template: missing value for command in \"%s\"", l->whole);
  return TRUE;
}

/* Go's escapes in the literal text: podman users write "\t" and "\n". */
static char *
unescape_text (const char *s, gsize n)
{
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
  return g_string_free (out, FALSE);
}

struct _Parser
{
  const char *p;
  const char *format;
  gboolean trim_next; /* the last action ended with " -}}" */
};

typedef struct _Parser Parser;
static gboolean parse_block (Parser *ps, Node *n, GError **error);

/* Parses nodes into @into until {{end}} / {{else}} (returned in *stop) or
 * the end of the format. */
static gboolean
parse_nodes (Parser *ps, GPtrArray *into, char **stop, GError **error)
{
  for (;;)
    {
      const char *open = strstr (ps->p, "{{");
      const char *text_end = open ? open : ps->p + strlen (ps->p);
      const char *ts = ps->p;
      if (ps->trim_next)
        while (ts < text_end && g_ascii_isspace (*ts))
          ts++;
      const char *te = text_end;
      if (open && open[2] == '-' && (open[3] == ' ' || open[3] == '\t' || open[3] == '\n'))
        while (te > ts && g_ascii_isspace (te[-1]))
          te--;
      if (te > ts)
        {
          Node *n = g_new0 (Node, 1);
          n->kind = NODE_TEXT;
          n->text = unescape_text (ts, te - ts);
          g_ptr_array_add (into, n);
        }
      if (!open)
        {
          ps->p = text_end;
          if (stop)
            *stop = NULL;
          return TRUE;
        }
      const char *close = strstr (open + 2, "}}");
      if (!close)
        return fail (error, "--format: template: unclosed action in \"%s\"", ps->format);
      const char *as = open + 2, *ae = close;
      if (*as == '-' && (as[1] == ' ' || as[1] == '\t' || as[1] == '\n'))
        as++;
      ps->trim_next = FALSE;
      if (ae - as >= 2 && ae[-1] == '-' && g_ascii_isspace (ae[-2]))
        {
          ae--;
          ps->trim_next = TRUE;
        }
      ps->p = close + 2;
      g_autofree char *inner = g_strstrip (g_strndup (as, ae - as));
      if (g_str_has_prefix (inner, "/*"))
        continue;
      if (strcmp (inner, "end") == 0 || strcmp (inner, "else") == 0
          || g_str_has_prefix (inner, "else "))
        {
          if (!stop)
            return fail (error, "--format: template: unexpected {{%s}}", inner);
          *stop = g_strdup (inner);
          return TRUE;
        }
      Node *n = g_new0 (Node, 1);
      const char *expr = inner;
      n->kind = NODE_ACTION;
      static const struct { const char *kw; NodeKind kind; } blocks[] = {
        { "range", NODE_RANGE }, { "if", NODE_IF }, { "with", NODE_WITH } };
      for (gsize k = 0; k < G_N_ELEMENTS (blocks); k++)
        {
          gsize kl = strlen (blocks[k].kw);
          if (strncmp (inner, blocks[k].kw, kl) == 0 && (inner[kl] == ' ' || inner[kl] == '\t'))
            {
              n->kind = blocks[k].kind;
              expr = inner + kl;
            }
        }
      g_ptr_array_add (into, n);
      n->pipe = pipe_new ();
      Lexer l = { expr, inner, error };
      /* "range $i, $e := PIPE": podunit has no variables but $; take the pipeline. */
      const char *assign = n->kind == NODE_RANGE ? strstr (expr, ":=") : NULL;
      if (assign)
        l.p = assign + 2;
      if (!parse_pipe (&l, n->pipe, '\0'))
        return FALSE;
      Cmd *only = n->pipe->len == 1 ? n->pipe->pdata[0] : NULL;
      if (only && only->len == 1 && ((Arg *) only->pdata[0])->kind == ARG_FIELD)
        n->field = g_strdup (((Arg *) only->pdata[0])->text);
      else if (only && only->len == 2 && ((Arg *) only->pdata[1])->kind == ARG_FIELD)
        n->field = g_strdup (((Arg *) only->pdata[1])->text);
      else if (n->pipe->len == 2 && only == NULL)
        {
          Cmd *c0 = n->pipe->pdata[0];
          if (c0->len == 1 && ((Arg *) c0->pdata[0])->kind == ARG_FIELD)
            n->field = g_strdup (((Arg *) c0->pdata[0])->text);
        }
      if (n->kind == NODE_ACTION)
        continue;
      if (!parse_block (ps, n, error))
        return FALSE;
    }
}

/* The body of a block node up to its {{end}}, with {{else}} and
 * {{else if PIPE}} (a nested if that shares the final {{end}}). */
static gboolean
parse_block (Parser *ps, Node *n, GError **error)
{
  g_autofree char *end = NULL;
  n->body = nodes_new ();
  if (!parse_nodes (ps, n->body, &end, error))
    return FALSE;
  if (end == NULL)
    return fail (error, "--format: template: missing {{end}} in \"%s\"", ps->format);
  if (strcmp (end, "end") == 0)
    return TRUE;
  n->else_body = nodes_new ();
  const char *rest = end + 4;
  while (*rest == ' ')
    rest++;
  if (*rest == '\0')
    {
      g_autofree char *end2 = NULL;
      if (!parse_nodes (ps, n->else_body, &end2, error))
        return FALSE;
      if (end2 == NULL || strcmp (end2, "end") != 0)
        return fail (error, "--format: template: missing {{end}} in \"%s\"", ps->format);
      return TRUE;
    }
  if (!g_str_has_prefix (rest, "if "))
    return fail (error, "--format: template: unsupported {{%s}}", end);
  Node *m = g_new0 (Node, 1);
  m->kind = NODE_IF;
  m->pipe = pipe_new ();
  g_ptr_array_add (n->else_body, m);
  Lexer l = { rest + 3, rest, error };
  return parse_pipe (&l, m->pipe, '\0') && parse_block (ps, m, error);
}

CliTemplate *
cli_template_new (const char *format, GHashTable *headers, GError **error)
{
  g_autoptr (CliTemplate) t = g_new0 (CliTemplate, 1);
  t->nodes = nodes_new ();
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  t->headers = headers ? g_hash_table_ref (headers) : NULL;
  if (g_str_has_prefix (format, "table"))
    {
      t->table = TRUE;
      format += strlen ("table");
      while (*format == ' ')
        format++;
    }
  Parser ps = { format, format, FALSE };
  if (!parse_nodes (&ps, t->nodes, NULL, error))
    return NULL;
  /* podman's tables: blanks between fields separate columns like "\t". */
  for (guint i = 0; t->table && i < t->nodes->len; i++)
    {
      Node *n = t->nodes->pdata[i];
      if (n->kind == NODE_TEXT && *n->text && n->text[strspn (n->text, " ")] == '\0')
        {
          g_free (n->text);
          n->text = g_strdup ("\t");
        }
    }
  return g_steal_pointer (&t);
}

gboolean
cli_template_is_json (const char *format)
{
  return format && strcmp (format, "json") == 0;
}

void
cli_template_free (CliTemplate *t)
{
  if (t == NULL)
    return;
  g_ptr_array_unref (t->nodes);
  g_ptr_array_unref (t->rows);
  if (t->headers)
    g_hash_table_unref (t->headers);
  g_free (t);
}

/* ---- evaluation ---- */

/* Objects inside arrays whose members are all capitalized are Go structs
 * in podman (HostConfig.Ulimits); maps (Labels) print as map[k:v]. */
static gboolean
is_struct_in_array (JsonObject *o)
{
  g_autoptr (GList) keys = json_object_get_members (o);
  for (GList *l = keys; l; l = l->next)
    if (!g_ascii_isupper (*(char *) l->data))
      return FALSE;
  return keys != NULL;
}

/* Go's default formatting of a value: strings bare, arrays "[a b]",
 * objects "map[k:v]". */
static void format_value (GString *out, JsonNode *n, gboolean in_array);

static void
format_go (GString *out, JsonNode *n)
{
  format_value (out, n, FALSE);
}

static void
format_value (GString *out, JsonNode *n, gboolean in_array)
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
          format_value (out, json_array_get_element (a, i), TRUE);
        }
      g_string_append_c (out, ']');
    }
  else if (JSON_NODE_HOLDS_OBJECT (n) && in_array && is_struct_in_array (json_node_get_object (n)))
    {
      /* A Go struct prints its values in field order: "{RLIMIT_CORE -1 -1}". */
      JsonObject *o = json_node_get_object (n);
      g_autoptr (GList) keys = json_object_get_members (o);
      g_string_append_c (out, '{');
      for (GList *l = keys; l; l = l->next)
        {
          if (l != keys)
            g_string_append_c (out, ' ');
          format_go (out, json_object_get_member (o, l->data));
        }
      g_string_append_c (out, '}');
    }
  else if (JSON_NODE_HOLDS_OBJECT (n))
    {
      JsonObject *o = json_node_get_object (n);
      g_autoptr (GList) keys
          = g_list_sort (json_object_get_members (o), (GCompareFunc) (void *) strcmp);
      g_string_append (out, "map[");
      for (GList *l = keys; l; l = l->next)
        {
          if (l != keys)
            g_string_append_c (out, ' ');
          g_string_append_printf (out, "%s:", (char *) l->data);
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

static char *
to_string (JsonNode *n)
{
  GString *s = g_string_new (NULL);
  format_go (s, n);
  return g_string_free (s, FALSE);
}

static JsonNode *
str_node (char *owned)
{
  JsonNode *n = json_node_init_string (json_node_alloc (), owned);
  g_free (owned);
  return n;
}

static gboolean
truthy (JsonNode *n)
{
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return FALSE;
  if (JSON_NODE_HOLDS_ARRAY (n))
    return json_array_get_length (json_node_get_array (n)) > 0;
  if (JSON_NODE_HOLDS_OBJECT (n))
    return json_object_get_size (json_node_get_object (n)) > 0;
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_STRING)
    return *json_node_get_string (n) != '\0';
  if (t == G_TYPE_BOOLEAN)
    return json_node_get_boolean (n);
  if (t == G_TYPE_DOUBLE)
    return json_node_get_double (n) != 0;
  return json_node_get_int (n) != 0;
}

/* Follows @path from @n: object members by name (Go's struct fields and
 * map keys alike). NULL (with @error) when a member is missing. */
static JsonNode *
walk (JsonNode *n, const char *path, GError **error)
{
  if (*path == '\0')
    return n ? json_node_copy (n) : NULL;
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  for (char **p = parts; *p; p++)
    {
      if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
        {
          fail (error, "--format: template: can't evaluate field %s", *p);
          return NULL;
        }
      JsonObject *o = json_node_get_object (n);
      if (!json_object_has_member (o, *p))
        {
          /* Go names struct fields (ID), JSON keys differ in case (Id). */
          g_autoptr (GList) keys = json_object_get_members (o);
          const char *found = NULL;
          for (GList *l = keys; l && !found; l = l->next)
            if (g_ascii_strcasecmp (l->data, *p) == 0)
              found = l->data;
          if (found)
            {
              n = json_object_get_member (o, found);
              continue;
            }
          /* A map without the key gives Go's zero value; a struct lacks the field. */
          if (g_ascii_isupper (**p) && p == parts)
            {
              fail (error, "--format: template: can't evaluate field %s", *p);
              return NULL;
            }
          return json_node_init_null (json_node_alloc ());
        }
      n = json_object_get_member (o, *p);
    }
  return json_node_copy (n);
}

typedef struct
{
  JsonNode *root;
  GError **error;
} Ctx;

static JsonNode *eval_pipe (Ctx *c, GPtrArray *pipe, JsonNode *dot);

static JsonNode *
eval_arg (Ctx *c, Arg *a, JsonNode *dot)
{
  switch (a->kind)
    {
    case ARG_FIELD:
      return walk (dot, a->text, c->error);
    case ARG_ROOT:
      return walk (c->root, a->text, c->error);
    case ARG_STRING:
      return json_node_init_string (json_node_alloc (), a->text);
    case ARG_NUMBER:
      if (a->number == (gint64) a->number)
        return json_node_init_int (json_node_alloc (), (gint64) a->number);
      return json_node_init_double (json_node_alloc (), a->number);
    case ARG_BOOL:
      return json_node_init_boolean (json_node_alloc (), a->text[0] == 't');
    case ARG_PIPE:
      {
        g_autoptr (JsonNode) v = eval_pipe (c, a->pipe, dot);
        if (!v)
          return NULL;
        return walk (v, a->text ? a->text : "", c->error);
      }
    case ARG_FUNC:
      break;
    }
  fail (c->error, "--format: template: %s is not a value", a->text);
  return NULL;
}

static gboolean
node_equal (JsonNode *a, JsonNode *b)
{
  g_autofree char *sa = to_string (a), *sb = to_string (b);
  return strcmp (sa, sb) == 0;
}

/* JSON text as podman prints it: a record's strings may hold bytes that
 * are not UTF-8 (container.h); Go's encoder writes each as U+FFFD, and
 * json-glib copies them as they are, only inside strings, so the text is
 * made valid as a whole. */
static char *
json_valid_text (JsonGenerator *g)
{
  g_autofree char *raw = json_generator_to_data (g, NULL);
  return g_utf8_validate (raw, -1, NULL) ? g_steal_pointer (&raw) : g_utf8_make_valid (raw, -1);
}

static char *
json_text (JsonNode *n)
{
  g_autoptr (JsonGenerator) g = json_generator_new ();
  json_generator_set_root (g, n);
  return json_valid_text (g);
}

/* Go's fmt verbs for printf: %s %v %d %q %% with flags and width. */
static char *
go_printf (const char *fmt, JsonNode **args, guint nargs)
{
  GString *out = g_string_new (NULL);
  guint ai = 0;
  for (const char *p = fmt; *p; p++)
    {
      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      const char *spec = p++;
      while (*p && strchr ("-+# 0123456789.", *p))
        p++;
      if (*p == '\0')
        break;
      if (*p == '%')
        {
          g_string_append_c (out, '%');
          continue;
        }
      g_autofree char *flags = g_strndup (spec, p - spec);
      if (ai >= nargs)
        {
          g_string_append_printf (out, "%%!%c(MISSING)", *p);
          continue;
        }
      JsonNode *v = args[ai++];
      g_autofree char *s = NULL;
      if (*p == 'd' && v && JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) != G_TYPE_STRING)
        {
          g_autofree char *f = g_strconcat (flags, G_GINT64_MODIFIER "d", NULL);
          g_string_append_printf (out, f, (gint64) json_node_get_int (v));
          continue;
        }
      if (*p == 'q')
        s = json_text (v);
      else
        s = to_string (v);
      g_autofree char *f = g_strconcat (flags, "s", NULL);
      g_string_append_printf (out, f, s);
    }
  return g_string_free (out, FALSE);
}

static JsonNode *
call (Ctx *c, const char *fn, JsonNode **a, guint n)
{
#define NEED(k)                                                                                    \
  if (n != (k))                                                                                    \
    {                                                                                              \
      fail (c->error, "--format: template: wrong number of args for %s", fn);                    \
      return NULL;                                                                                 \
    }
  if (strcmp (fn, "json") == 0)
    {
      NEED (1);
      return str_node (json_text (a[0]));
    }
  if (strcmp (fn, "upper") == 0 || strcmp (fn, "lower") == 0 || strcmp (fn, "title") == 0)
    {
      NEED (1);
      g_autofree char *s = to_string (a[0]);
      if (fn[0] == 'u')
        return str_node (g_utf8_strup (s, -1));
      if (fn[0] == 'l')
        return str_node (g_utf8_strdown (s, -1));
      gboolean start = TRUE;
      for (char *q = s; *q; q++)
        {
          if (start && g_ascii_islower (*q))
            *q = g_ascii_toupper (*q);
          start = !is_ident (*q);
        }
      return str_node (g_steal_pointer (&s));
    }
  if (strcmp (fn, "join") == 0)
    {
      NEED (2);
      g_autofree char *sep = to_string (a[1]);
      GString *s = g_string_new (NULL);
      if (JSON_NODE_HOLDS_ARRAY (a[0]))
        {
          JsonArray *arr = json_node_get_array (a[0]);
          for (guint i = 0; i < json_array_get_length (arr); i++)
            {
              g_autofree char *e = to_string (json_array_get_element (arr, i));
              g_string_append_printf (s, "%s%s", i ? sep : "", e);
            }
        }
      else
        {
          g_autofree char *e = to_string (a[0]);
          g_string_append (s, e);
        }
      return str_node (g_string_free (s, FALSE));
    }
  if (strcmp (fn, "split") == 0)
    {
      NEED (2);
      g_autofree char *s = to_string (a[0]), *sep = to_string (a[1]);
      g_auto (GStrv) parts = g_strsplit (s, sep, -1);
      JsonArray *arr = json_array_new ();
      for (char **p = parts; *p; p++)
        json_array_add_string_element (arr, *p);
      JsonNode *res = json_node_init_array (json_node_alloc (), arr);
      json_array_unref (arr);
      return res;
    }
  if (strcmp (fn, "printf") == 0 || strcmp (fn, "print") == 0 || strcmp (fn, "println") == 0)
    {
      if (fn[5] == 'f')
        {
          if (n < 1)
            return fail (c->error, "--format: template: wrong number of args for %s", fn), NULL;
          g_autofree char *f = to_string (a[0]);
          return str_node (go_printf (f, a + 1, n - 1));
        }
      GString *s = g_string_new (NULL);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *e = to_string (a[i]);
          g_string_append_printf (s, "%s%s", i && fn[5] == 'l' ? " " : "", e);
        }
      if (fn[5] == 'l')
        g_string_append_c (s, '\n');
      return str_node (g_string_free (s, FALSE));
    }
  if (strcmp (fn, "len") == 0)
    {
      NEED (1);
      gint64 len = JSON_NODE_HOLDS_ARRAY (a[0])    ? json_array_get_length (json_node_get_array (a[0]))
                   : JSON_NODE_HOLDS_OBJECT (a[0]) ? json_object_get_size (json_node_get_object (a[0]))
                   : JSON_NODE_HOLDS_VALUE (a[0]) && json_node_get_value_type (a[0]) == G_TYPE_STRING
                       ? (gint64) strlen (json_node_get_string (a[0]))
                       : -1;
      if (len < 0)
        return fail (c->error, "--format: template: len of %s", "a scalar"), NULL;
      return json_node_init_int (json_node_alloc (), len);
    }
  if (strcmp (fn, "index") == 0)
    {
      if (n < 2)
        return fail (c->error, "--format: template: wrong number of args for %s", fn), NULL;
      JsonNode *v = a[0];
      for (guint i = 1; i < n && v; i++)
        {
          if (JSON_NODE_HOLDS_OBJECT (v))
            {
              g_autofree char *k = to_string (a[i]);
              JsonObject *o = json_node_get_object (v);
              v = json_object_has_member (o, k) ? json_object_get_member (o, k) : NULL;
            }
          else if (JSON_NODE_HOLDS_ARRAY (v) && JSON_NODE_HOLDS_VALUE (a[i]))
            {
              gint64 k = json_node_get_int (a[i]);
              JsonArray *arr = json_node_get_array (v);
              if (k < 0 || k >= json_array_get_length (arr))
                return fail (c->error, "--format: template: index out of range: %s", "index"),
                       NULL;
              v = json_array_get_element (arr, k);
            }
          else
            v = NULL;
        }
      return v ? json_node_copy (v) : json_node_init_string (json_node_alloc (), "");
    }
  if (strcmp (fn, "eq") == 0 || strcmp (fn, "ne") == 0)
    {
      if (n < 2)
        return fail (c->error, "--format: template: wrong number of args for %s", fn), NULL;
      gboolean eq = FALSE;
      for (guint i = 1; i < n; i++)
        eq = eq || node_equal (a[0], a[i]);
      return json_node_init_boolean (json_node_alloc (), fn[0] == 'e' ? eq : !eq);
    }
  if (strcmp (fn, "not") == 0)
    {
      NEED (1);
      return json_node_init_boolean (json_node_alloc (), !truthy (a[0]));
    }
  if (strcmp (fn, "and") == 0 || strcmp (fn, "or") == 0)
    {
      if (n < 1)
        return fail (c->error, "--format: template: wrong number of args for %s", fn), NULL;
      guint i = 0;
      for (; i + 1 < n; i++)
        if (truthy (a[i]) == (fn[0] == 'o'))
          break;
      return json_node_copy (a[i]);
    }
  if (strcmp (fn, "truncate") == 0 || strcmp (fn, "pad") == 0)
    {
      if (n < 2)
        return fail (c->error, "--format: template: wrong number of args for %s", fn), NULL;
      g_autofree char *s = to_string (a[0]);
      gint64 k = JSON_NODE_HOLDS_VALUE (a[1]) ? json_node_get_int (a[1]) : 0;
      if (fn[0] == 't')
        return str_node (g_utf8_substring (s, 0, MIN ((gint64) g_utf8_strlen (s, -1), MAX (k, 0))));
      gint64 r = n > 2 && JSON_NODE_HOLDS_VALUE (a[2]) ? json_node_get_int (a[2]) : 0;
      return str_node (g_strdup_printf ("%*s%s%*s", (int) k, "", s, (int) r, ""));
    }
  fail (c->error, "--format: template: function \"%s\" not defined", fn);
  return NULL;
#undef NEED
}

static JsonNode *
eval_pipe (Ctx *c, GPtrArray *pipe, JsonNode *dot)
{
  JsonNode *prev = NULL;
  for (guint i = 0; i < pipe->len; i++)
    {
      Cmd *cmd = pipe->pdata[i];
      Arg *first = cmd->pdata[0];
      JsonNode *res;
      if (first->kind == ARG_FUNC)
        {
          g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
          gboolean ok = TRUE;
          for (guint k = 1; k < cmd->len && ok; k++)
            {
              JsonNode *v = eval_arg (c, cmd->pdata[k], dot);
              if (v)
                g_ptr_array_add (args, v);
              ok = v != NULL;
            }
          if (prev)
            g_ptr_array_add (args, g_steal_pointer (&prev));
          if (!ok)
            return NULL;
          res = call (c, first->text, (JsonNode **) args->pdata, args->len);
        }
      else if (first->kind == ARG_FIELD && cmd->len > 1 && !prev)
        {
          /* A method taking a key, as podman's {{.Label "k"}}: the field is a
           * map and the arguments index it. */
          g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
          for (guint k = 0; k < cmd->len; k++)
            {
              JsonNode *v = eval_arg (c, cmd->pdata[k], dot);
              if (!v)
                return NULL;
              g_ptr_array_add (args, v);
            }
          if (!JSON_NODE_HOLDS_OBJECT ((JsonNode *) args->pdata[0]))
            {
              fail (c->error, "--format: template: can't give argument to non-function %s",
                    first->text);
              return NULL;
            }
          res = call (c, "index", (JsonNode **) args->pdata, args->len);
        }
      else
        {
          if (cmd->len > 1 || prev)
            {
              g_clear_pointer (&prev, json_node_unref);
              fail (c->error, "--format: template: can't give argument to non-function %s",
                    first->text ? first->text : "");
              return NULL;
            }
          res = eval_arg (c, first, dot);
        }
      if (!res)
        return NULL;
      prev = res;
    }
  return prev;
}

static gboolean
exec_nodes (Ctx *c, GPtrArray *nodes, JsonNode *dot, GString *out)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      Node *n = nodes->pdata[i];
      if (n->kind == NODE_TEXT)
        {
          g_string_append (out, n->text);
          continue;
        }
      g_autoptr (JsonNode) v = eval_pipe (c, n->pipe, dot);
      if (!v)
        return FALSE;
      switch (n->kind)
        {
        case NODE_ACTION:
          format_go (out, v);
          break;
        case NODE_IF:
        case NODE_WITH:
          if (truthy (v))
            {
              if (!exec_nodes (c, n->body, n->kind == NODE_WITH ? v : dot, out))
                return FALSE;
            }
          else if (n->else_body && !exec_nodes (c, n->else_body, dot, out))
            return FALSE;
          break;
        case NODE_RANGE:
          {
            gboolean any = FALSE;
            if (JSON_NODE_HOLDS_ARRAY (v))
              {
                JsonArray *arr = json_node_get_array (v);
                for (guint k = 0; k < json_array_get_length (arr); k++, any = TRUE)
                  if (!exec_nodes (c, n->body, json_array_get_element (arr, k), out))
                    return FALSE;
              }
            else if (JSON_NODE_HOLDS_OBJECT (v))
              {
                JsonObject *o = json_node_get_object (v);
                g_autoptr (GList) keys
                    = g_list_sort (json_object_get_members (o), (GCompareFunc) (void *) strcmp);
                for (GList *l = keys; l; l = l->next, any = TRUE)
                  if (!exec_nodes (c, n->body, json_object_get_member (o, l->data), out))
                    return FALSE;
              }
            else if (!JSON_NODE_HOLDS_NULL (v))
              return fail (c->error, "--format: template: range can't iterate over %s",
                           "a scalar");
            if (!any && n->else_body && !exec_nodes (c, n->else_body, dot, out))
              return FALSE;
          }
          break;
        default:
          break;
        }
    }
  return TRUE;
}

gboolean
cli_template_add_row (CliTemplate *t, JsonObject *row, GError **error)
{
  g_autoptr (JsonNode) whole = json_node_init_object (json_node_alloc (), row);
  GString *line = g_string_new (NULL);
  Ctx c = { whole, error };
  if (!exec_nodes (&c, t->nodes, whole, line))
    {
      g_string_free (line, TRUE);
      return FALSE;
    }
  g_autofree char *text = g_string_free (line, FALSE);
  /* Go's template output has no newline of its own: podman adds one per row. */
  g_ptr_array_add (t->rows, g_strsplit (text, "\t", -1));
  return TRUE;
}

static char *
header_for (CliTemplate *t, const char *field)
{
  const char *h = t->headers ? g_hash_table_lookup (t->headers, field) : NULL;
  if (h)
    return g_strdup (h);
  /* podman's headers: the field name upper-cased, words split at capitals. */
  GString *s = g_string_new (NULL);
  for (const char *p = field; *p; p++)
    {
      if (p != field && g_ascii_isupper (*p) && g_ascii_islower (p[-1]))
        g_string_append_c (s, ' ');
      g_string_append_c (s, g_ascii_toupper (*p));
    }
  return g_string_free (s, FALSE);
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

static void
header_nodes (CliTemplate *t, GPtrArray *nodes, GString *h)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      Node *p = nodes->pdata[i];
      if (p->kind == NODE_TEXT)
        g_string_append (h, p->text);
      else if (p->kind == NODE_ACTION && p->field)
        {
          const char *last = strrchr (p->field, '.');
          g_autofree char *name = header_for (t, last ? last + 1 : p->field);
          g_string_append (h, name);
        }
    }
}

void
cli_template_print (CliTemplate *t, gboolean noheading)
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
  if (!noheading)
    {
      /* The header: the template rendered with each field's header. */
      GString *h = g_string_new (NULL);
      header_nodes (t, t->nodes, h);
      g_autofree char *header = g_string_free (h, FALSE);
      g_ptr_array_insert (t->rows, 0, g_strsplit (header, "\t", -1));
    }
  cli_print_table (t->rows);
}

void
cli_print_json (JsonNode *root)
{
  g_autoptr (JsonGenerator) g = json_generator_new ();
  json_generator_set_pretty (g, TRUE);
  json_generator_set_indent (g, 4);
  json_generator_set_root (g, root);
  g_autofree char *s = json_valid_text (g);
  /* json-glib writes "key" : value; Go's encoder "key": value. */
  gboolean in_string = FALSE;
  char *w = s;
  for (const char *r = s; *r; r++)
    {
      if (in_string && *r == '\\' && r[1])
        {
          *w++ = *r++;
          *w++ = *r;
          continue;
        }
      if (*r == '"')
        in_string = !in_string;
      else if (!in_string && r[0] == ' ' && r[1] == ':' && r > s && r[-1] == '"')
        continue;
      *w++ = *r;
    }
  *w = '\0';
  puts (s);
}

void
cli_print_json_rows (GPtrArray *rows)
{
  JsonArray *arr = json_array_new ();
  for (guint i = 0; i < rows->len; i++)
    json_array_add_object_element (arr, json_object_ref (rows->pdata[i]));
  g_autoptr (JsonNode) root = json_node_init_array (json_node_alloc (), arr);
  json_array_unref (arr);
  cli_print_json (root);
}

char *
cli_labels_text (char *const *labels)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
  for (char *const *l = labels; l && *l; l++)
    g_ptr_array_add (sorted, *l);
  g_ptr_array_sort (sorted, name_compare);
  g_ptr_array_add (sorted, NULL);
  return g_strjoinv (",", (char **) sorted->pdata);
}
