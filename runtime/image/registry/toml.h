/* SPDX-License-Identifier: Apache-2.0 */
/* A small strict TOML reader for the subset containers-registries.conf(5)
 * and containers.conf(5) files use (RHEL ships no C TOML library):
 * comments, [table] and [[array.of.tables]] headers (dotted), bare or
 * quoted keys, basic and literal strings, booleans, integers and
 * (multi-line) arrays. Anything else (inline tables, dates, floats,
 * multi-line strings, dotted keys, a key given twice) is an error naming
 * FILE:LINE. The result is a tree of its own (glib only: json-glib would
 * load gio and what it links on every `run` that reads containers.conf). */
#pragma once

#include <glib.h>

typedef enum
{
  TOML_STRING,
  TOML_BOOLEAN,
  TOML_INTEGER,
  TOML_ARRAY,
  TOML_TABLE,
} TomlType;

typedef struct TomlValue TomlValue;
struct TomlValue
{
  TomlType type;
  char *key;       /* its key in the table holding it; NULL in an array */
  char *string;    /* TOML_STRING */
  gint64 integer;  /* TOML_INTEGER; TOML_BOOLEAN: TRUE or FALSE */
  GPtrArray *items; /* TOML_ARRAY: the elements; TOML_TABLE: the members, in file order */
};

/* The document's root table, or NULL and @error. */
TomlValue *toml_parse (const char *data, gsize len, const char *file, GError **error);
void toml_value_free (TomlValue *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TomlValue, toml_value_free)

/* The member @key of the table @t; NULL when absent or @t is NULL. */
TomlValue *toml_get (const TomlValue *t, const char *key);

/* The strings of the array @v, NULL-terminated, or NULL when @v is not an
 * array of strings. */
char **toml_dup_strv (const TomlValue *v);
