/* SPDX-License-Identifier: Apache-2.0 */
/* Containerfile syntax: instructions, the exec form, words and variables
 * (containerfile.h). Pure: text in, values out. */
#include "image/containerfile.h"

#include <string.h>

#include "json-strv.h"

#define CF_ERROR (g_quark_from_static_string ("containerfile-error"))

static const struct {
  const char *keyword;
  CfKind kind;
  gboolean exec_form; /* a JSON array may follow */
  gboolean flags;     /* leading --flags may follow */
} keywords[] = {
  { "FROM", CF_FROM, FALSE, TRUE },       { "RUN", CF_RUN, TRUE, TRUE },
  { "CMD", CF_CMD, TRUE, FALSE },         { "ENTRYPOINT", CF_ENTRYPOINT, TRUE, FALSE },
  { "COPY", CF_COPY, TRUE, TRUE },        { "ADD", CF_ADD, TRUE, TRUE },
  { "ENV", CF_ENV, FALSE, FALSE },        { "ARG", CF_ARG, FALSE, FALSE },
  { "LABEL", CF_LABEL, FALSE, FALSE },    { "WORKDIR", CF_WORKDIR, FALSE, FALSE },
  { "USER", CF_USER, FALSE, FALSE },      { "EXPOSE", CF_EXPOSE, FALSE, FALSE },
  { "VOLUME", CF_VOLUME, TRUE, FALSE },   { "STOPSIGNAL", CF_STOPSIGNAL, FALSE, FALSE },
  { "SHELL", CF_SHELL, TRUE, FALSE },     { "MAINTAINER", CF_MAINTAINER, FALSE, FALSE },
};

/* Known to Docker, not (yet) to podunit: refused by name. */
static const char *const unsupported[] = { "HEALTHCHECK", "ONBUILD", NULL };

static void
instruction_free (CfInstruction *ins)
{
  g_free (ins->keyword);
  for (guint i = 0; ins->flags[i]; i++)
    g_free (ins->flags[i]);
  g_free (ins->args);
  g_strfreev (ins->exec);
  g_free (ins);
}

void
containerfile_free (Containerfile *cf)
{
  if (!cf)
    return;
  g_ptr_array_unref (cf->instructions);
  g_free (cf);
}

const char *
containerfile_flag (const CfInstruction *ins, const char *name)
{
  gsize n = strlen (name);
  for (guint i = 0; ins->flags[i]; i++)
    {
      const char *f = ins->flags[i] + 2;
      if (strncmp (f, name, n) == 0 && (f[n] == '=' || f[n] == '\0'))
        return f[n] == '=' ? f + n + 1 : f + n;
    }
  return NULL;
}

/* A JSON array of strings, or NULL (then the text is the shell form, as
 * Docker reads a malformed one). */
static char **
parse_exec (const char *text)
{
  return text[0] == '[' ? json_strv_parse (text, NULL) : NULL;
}

/* One logical line (continuations joined) into an instruction. */
static CfInstruction *
parse_instruction (const char *text, guint line, GError **error)
{
  g_autoptr (GString) kw = g_string_new (NULL);
  const char *p = text;
  CfInstruction *ins;
  gsize k;

  while (*p && !g_ascii_isspace (*p))
    g_string_append_c (kw, g_ascii_toupper (*p++));
  for (k = 0; k < G_N_ELEMENTS (keywords); k++)
    if (g_str_equal (kw->str, keywords[k].keyword))
      break;
  if (k == G_N_ELEMENTS (keywords))
    {
      if (g_strv_contains (unsupported, kw->str))
        g_set_error (error, CF_ERROR, 0, "%s is not supported by podunit build", kw->str);
      else
        g_set_error (error, CF_ERROR, 0, "unknown instruction: %s", kw->str);
      return NULL;
    }
  ins = g_new0 (CfInstruction, 1);
  ins->kind = keywords[k].kind;
  ins->line = line;
  ins->keyword = g_strdup (kw->str);
  while (g_ascii_isspace (*p))
    p++;
  for (guint n = 0; keywords[k].flags && p[0] == '-' && p[1] == '-'; n++)
    {
      const char *end = p;
      while (*end && !g_ascii_isspace (*end))
        end++;
      if (n + 1 == G_N_ELEMENTS (ins->flags))
        {
          g_set_error (error, CF_ERROR, 0, "%s: too many flags", ins->keyword);
          instruction_free (ins);
          return NULL;
        }
      ins->flags[n] = g_strndup (p, end - p);
      for (p = end; g_ascii_isspace (*p);)
        p++;
    }
  ins->args = g_strchomp (g_strdup (p));
  if (keywords[k].exec_form)
    ins->exec = parse_exec (ins->args);
  if (!*ins->args && ins->kind != CF_CMD && ins->kind != CF_ENTRYPOINT)
    {
      g_set_error (error, CF_ERROR, 0, "%s requires at least one argument", ins->keyword);
      instruction_free (ins);
      return NULL;
    }
  return ins;
}

Containerfile *
containerfile_parse (const char *text, GError **error)
{
  g_autoptr (Containerfile) cf = g_new0 (Containerfile, 1);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GString) cur = g_string_new (NULL);
  guint start = 0, froms = 0;

  cf->instructions = g_ptr_array_new_with_free_func ((GDestroyNotify) instruction_free);
  for (guint i = 0; lines[i]; i++)
    {
      char *l = lines[i];
      const char *t = l;
      gsize n = strlen (l);
      gboolean more;
      if (n && l[n - 1] == '\r')
        l[--n] = '\0';
      while (g_ascii_isspace (*t))
        t++;
      /* comments and blank lines go, even inside a continuation */
      if (*t == '#' || (*t == '\0' && cur->len == 0))
        continue;
      if (cur->len == 0)
        start = i + 1;
      while (n && g_ascii_isspace (l[n - 1]))
        n--;
      more = n && l[n - 1] == '\\';
      {
        const char *from = cur->len ? l : t;
        g_string_append_len (cur, from, (l + n - from) - (more ? 1 : 0));
      }
      if (more && lines[i + 1])
        continue;
      {
        CfInstruction *ins;
        g_strstrip (cur->str);
        if (!cur->str[0])
          {
            g_string_truncate (cur, 0);
            continue;
          }
        ins = parse_instruction (cur->str, start, error);
        g_string_truncate (cur, 0);
        if (!ins)
          {
            g_prefix_error (error, "%u: ", start);
            return NULL;
          }
        g_ptr_array_add (cf->instructions, ins);
        if (ins->kind == CF_FROM && ++froms > 1)
          {
            g_set_error (error, CF_ERROR, 0,
                         "%u: a second FROM: multi-stage builds are not supported by podunit "
                         "build (one stage only)",
                         start);
            return NULL;
          }
        if (froms == 0 && ins->kind != CF_ARG)
          {
            g_set_error (error, CF_ERROR, 0, "%u: %s before FROM: the first instruction must be "
                         "FROM (only ARG may precede it)", start, ins->keyword);
            return NULL;
          }
      }
    }
  if (froms == 0)
    {
      g_set_error (error, CF_ERROR, 0, "no FROM instruction");
      return NULL;
    }
  return g_steal_pointer (&cf);
}

static const char *
var_lookup (char *const *vars, const char *name, gsize n)
{
  const char *found = NULL;
  for (char *const *v = vars; v && *v; v++)
    if (strncmp (*v, name, n) == 0 && (*v)[n] == '=')
      found = *v + n + 1;
  return found;
}

static gboolean
is_name_char (char c, gboolean first)
{
  return c == '_' || g_ascii_isalpha (c) || (!first && g_ascii_isdigit (c));
}

/* A $ reference at *@pp (just past the '$'): appends its value to @out. */
static gboolean
expand_var (const char **pp, char *const *vars, GString *out, GError **error)
{
  const char *p = *pp;
  if (*p == '{')
    {
      const char *name = ++p, *val;
      gsize n;
      char op = 0;
      g_autoptr (GString) word = g_string_new (NULL);
      while (is_name_char (*p, p == name))
        p++;
      n = p - name;
      if (n == 0)
        {
          g_set_error (error, CF_ERROR, 0, "bad substitution: ${%.*s", (int) strcspn (p, "}"), p);
          return FALSE;
        }
      if (p[0] == ':' && (p[1] == '-' || p[1] == '+'))
        {
          op = p[1];
          p += 2;
          /* the word may itself hold references */
          while (*p && *p != '}')
            {
              if (*p == '$')
                {
                  p++;
                  if (!expand_var (&p, vars, word, error))
                    return FALSE;
                }
              else
                g_string_append_c (word, *p++);
            }
        }
      if (*p != '}')
        {
          g_set_error (error, CF_ERROR, 0, "bad substitution: missing '}' after ${%.*s",
                       (int) n, name);
          return FALSE;
        }
      *pp = p + 1;
      val = var_lookup (vars, name, n);
      if (op == '-')
        g_string_append (out, val && *val ? val : word->str);
      else if (op == '+')
        g_string_append (out, val && *val ? word->str : "");
      else if (val)
        g_string_append (out, val);
      return TRUE;
    }
  if (is_name_char (*p, TRUE))
    {
      const char *name = p, *val;
      while (is_name_char (*p, FALSE))
        p++;
      val = var_lookup (vars, name, p - name);
      if (val)
        g_string_append (out, val);
      *pp = p;
      return TRUE;
    }
  g_string_append_c (out, '$'); /* a lone '$' stays */
  return TRUE;
}

char **
containerfile_words (const char *text, char *const *vars, GError **error)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) w = g_string_new (NULL);
  gboolean in_word = FALSE;
  char quote = 0;

  for (const char *p = text; *p;)
    {
      char c = *p;
      if (!quote && g_ascii_isspace (c))
        {
          if (in_word)
            g_ptr_array_add (words, g_strdup (w->str));
          g_string_truncate (w, 0);
          in_word = FALSE;
          p++;
          continue;
        }
      in_word = TRUE;
      if (c == '\\' && quote != '\'' && p[1])
        {
          /* in double quotes only \" \\ \$ are escapes, as in a shell */
          if (quote == '"' && p[1] != '"' && p[1] != '\\' && p[1] != '$')
            g_string_append_c (w, c);
          g_string_append_c (w, p[1]);
          p += 2;
        }
      else if (c == '$' && quote != '\'')
        {
          p++;
          if (!expand_var (&p, vars, w, error))
            return NULL;
        }
      else if ((c == '\'' || c == '"') && (!quote || quote == c))
        {
          quote = quote ? 0 : c;
          p++;
        }
      else
        {
          g_string_append_c (w, c);
          p++;
        }
    }
  if (quote)
    {
      g_set_error (error, CF_ERROR, 0, "unterminated %s quote",
                   quote == '"' ? "double" : "single");
      return NULL;
    }
  if (in_word)
    g_ptr_array_add (words, g_strdup (w->str));
  g_ptr_array_add (words, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}

char **
containerfile_pairs (const char *text, char *const *vars, GError **error)
{
  g_auto (GStrv) words = containerfile_words (text, vars, error);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  if (!words)
    return NULL;
  if (words[0] && !strchr (words[0], '='))
    {
      /* legacy "KEY value with spaces": the rest of the line is the value */
      g_autofree char *value = NULL;
      if (!words[1])
        {
          g_set_error (error, CF_ERROR, 0, "%s: a value is required (KEY=VALUE or KEY VALUE)",
                       words[0]);
          return NULL;
        }
      value = g_strjoinv (" ", words + 1);
      g_ptr_array_add (out, g_strconcat (words[0], "=", value, NULL));
    }
  else
    for (char **w = words; *w; w++)
      {
        if (!strchr (*w, '=') || **w == '=')
          {
            g_set_error (error, CF_ERROR, 0, "\"%s\": not KEY=VALUE", *w);
            return NULL;
          }
        g_ptr_array_add (out, g_strdup (*w));
      }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
