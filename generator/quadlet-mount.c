/* SPDX-License-Identifier: Apache-2.0 */
/* Mount= resolution (see quadlet-mount.h). The CSV rules are those of Go's
 * encoding/csv with its defaults (comma separator, strict quotes, leading
 * spaces kept), because podman parses --mount with it: a field that starts
 * with '"' is quoted and "" inside it is one quote; a quote anywhere else
 * is an error. */
#include "quadlet-mount.h"
#include "quadlet-runargs.h"

#include <string.h>

/* Reads one field starting at *p; leaves *p at the separator or the end. */
static char *
csv_read_field (const char **p, int *column, GError **error)
{
  GString *field = g_string_new (NULL);
  const char *s = *p;

  if (*s != '"')
    {
      for (; *s && *s != ',' && *s != '\n'; s++)
        {
          if (*s == '"')
            {
              g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                           "parse error on line 1, column %d: bare \" in non-quoted-field",
                           *column + (int) (s - *p) + 1);
              return g_string_free (field, TRUE), NULL;
            }
          g_string_append_c (field, *s);
        }
    }
  else
    {
      for (s++;; s++)
        {
          if (*s == '\0')
            goto bad_quote;
          if (*s != '"')
            {
              g_string_append_c (field, *s);
              continue;
            }
          if (s[1] == '"')
            {
              g_string_append_c (field, '"');
              s++;
              continue;
            }
          s++;
          if (*s != ',' && *s != '\n' && *s != '\0')
            goto bad_quote;
          break;
        }
    }
  *column += (int) (s - *p) + 1;
  *p = s;
  return g_string_free (field, FALSE);

bad_quote:
  g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
               "parse error on line 1, column %d: extraneous or missing \" in quoted-field",
               *column + (int) (s - *p) + 1);
  return g_string_free (field, TRUE), NULL;
}

char **
quadlet_csv_split (const char *record, GError **error)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  const char *p = record;
  int column = 0;

  for (;;)
    {
      char *field = csv_read_field (&p, &column, error);
      if (field == NULL)
        return NULL;
      g_ptr_array_add (fields, field);
      if (*p != ',')
        break;
      p++;
    }
  /* A trailing newline ends the record; anything after it is a second one. */
  if (*p == '\n')
    p++;
  if (*p != '\0')
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                        "incorrect mount format: should be --mount "
                        "type=<bind|glob|tmpfs|volume>,[src=<host-dir|volume-name>,]"
                        "target=<ctr-dir>[,options]"),
           NULL;
  g_ptr_array_add (fields, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&fields), FALSE);
}

static gboolean
csv_field_needs_quotes (const char *field)
{
  if (*field == '\0')
    return FALSE;
  if (g_str_equal (field, "\\."))
    return TRUE;
  if (strpbrk (field, ",\"\r\n") != NULL)
    return TRUE;
  return g_unichar_isspace (g_utf8_get_char_validated (field, -1));
}

char *
quadlet_csv_join (const char *const *fields)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; fields[i]; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (!csv_field_needs_quotes (fields[i]))
        {
          g_string_append (out, fields[i]);
          continue;
        }
      g_string_append_c (out, '"');
      for (const char *p = fields[i]; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  return g_string_free (out, FALSE);
}

char *
quadlet_resolve_mount (QuadletContext *ctx, UnitFile *unit, UnitFile *service, const char *mount,
                       GError **error)
{
  static const char *const resolved_types[] = { "volume", "bind", "glob", "image", "artifact",
                                                NULL };
  g_auto (GStrv) fields = quadlet_csv_split (mount, error);
  g_autoptr (GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *type = NULL;
  g_autofree char *source = NULL;
  int source_index = -1;

  if (fields == NULL)
    return NULL;

  /* The first field that is exactly "type=X" is the type; everything else
   * is kept in order. */
  for (char **f = fields; *f; f++)
    {
      const char *eq = strchr (*f, '=');
      if (type == NULL && g_str_has_prefix (*f, "type=") && strchr (eq + 1, '=') == NULL)
        {
          type = g_strdup (eq + 1);
          continue;
        }
      g_ptr_array_add (tokens, g_strdup (*f));
    }
  if (type == NULL)
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                        "incorrect mount format: should be --mount "
                        "type=<bind|glob|tmpfs|volume>,[src=<host-dir|volume-name>,]"
                        "target=<ctr-dir>[,options]"),
           NULL;
  if (!g_strv_contains (resolved_types, type))
    return g_strdup (mount);

  for (guint i = 0; i < tokens->len; i++)
    {
      const char *t = g_ptr_array_index (tokens, i);
      const char *eq = strchr (t, '=');
      gsize keylen = eq ? (gsize) (eq - t) : strlen (t);

      if (!((keylen == 6 && strncmp (t, "source", 6) == 0) ||
            (keylen == 3 && strncmp (t, "src", 3) == 0)))
        continue;
      if (eq == NULL)
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "source parameter does not include a value"),
               NULL;
      source_index = (int) i;
    }

  if (source_index < 0)
    {
      /* An anonymous volume needs no source; every other type does. */
      if (g_str_equal (type, "volume"))
        return g_strdup (mount);
      return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                          "source parameter is required for mount type %s", type),
             NULL;
    }

  {
    const char *t = g_ptr_array_index (tokens, (guint) source_index);
    const char *value = strchr (t, '=') + 1;

    if (*value == '\0')
      return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                          "source parameter does not include a value"),
             NULL;
    source = quadlet_resolve_storage_source (ctx, unit, service, value, TRUE, error);
    if (source == NULL)
      return NULL;
  }
  g_free (tokens->pdata[source_index]);
  tokens->pdata[source_index] = g_strconcat ("source=", source, NULL);
  g_ptr_array_insert (tokens, 0, g_strconcat ("type=", type, NULL));
  g_ptr_array_add (tokens, NULL);
  return quadlet_csv_join ((const char *const *) tokens->pdata);
}
