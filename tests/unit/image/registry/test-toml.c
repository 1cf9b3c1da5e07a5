/* SPDX-License-Identifier: Apache-2.0 */
/* The TOML reader of registries.conf and containers.conf
 * (runtime/image/registry/toml.c): the tree it builds and its errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "image/registry/toml.h"

static TomlValue *
parse (const char *text, char **message)
{
  g_autoptr (GError) error = NULL;
  TomlValue *v = toml_parse (text, strlen (text), "t.conf", &error);
  if (message)
    *message = error ? g_strdup (error->message) : NULL;
  return v;
}

Test (toml, tables_values_and_arrays_of_tables)
{
  g_autoptr (TomlValue) root = parse ("top = 'x'\n"
                                      "[containers]\n"
                                      "env = [\"A=1\", 'B=2',\n  ] # comment\n"
                                      "init = true\n"
                                      "pids_limit = 1_000\n"
                                      "[[registry]]\n"
                                      "prefix = \"a.io\"\n"
                                      "[[registry.mirror]]\n"
                                      "location = \"m1\"\n"
                                      "[[registry]]\n"
                                      "prefix = \"b.io\"\n",
                                      NULL);
  cr_assert_not_null (root);
  cr_assert_eq (root->type, TOML_TABLE);
  cr_assert_str_eq (toml_get (root, "top")->string, "x");
  TomlValue *c = toml_get (root, "containers");
  cr_assert_eq (c->type, TOML_TABLE);
  g_auto (GStrv) env = toml_dup_strv (toml_get (c, "env"));
  cr_assert_not_null (env);
  cr_assert_str_eq (env[0], "A=1");
  cr_assert_str_eq (env[1], "B=2");
  cr_assert_null (env[2]);
  cr_assert_eq (toml_get (c, "init")->type, TOML_BOOLEAN);
  cr_assert_eq (toml_get (c, "init")->integer, TRUE);
  cr_assert_eq (toml_get (c, "pids_limit")->integer, 1000);
  cr_assert_null (toml_get (c, "absent"));
  TomlValue *r = toml_get (root, "registry");
  cr_assert_eq (r->type, TOML_ARRAY);
  cr_assert_eq (r->items->len, 2);
  TomlValue *first = r->items->pdata[0];
  cr_assert_str_eq (toml_get (first, "prefix")->string, "a.io");
  TomlValue *mirrors = toml_get (first, "mirror");
  cr_assert_eq (mirrors->items->len, 1);
  cr_assert_str_eq (toml_get (mirrors->items->pdata[0], "location")->string, "m1");
  cr_assert_null (toml_get (r->items->pdata[1], "mirror"));
  /* toml_dup_strv: only an array of strings */
  cr_assert_null (toml_dup_strv (toml_get (c, "init")));
}

Test (toml, errors_name_the_file_and_line)
{
  static const struct { const char *text, *message; } cases[] = {
    { "a = 1\na = 2\n", "t.conf:2: key 'a' is defined twice" },
    { "[t]\n[t]\n", "t.conf:2: [t] is defined twice" },
    { "a = [1, 2]\n[[a]]\n", "t.conf:2: [[a]]: 'a' is already a value or table" },
    { "[a]\n[[a]]\n", "t.conf:2: [[a]]: 'a' is already a value or table" },
    { "a = 1\n[a.b]\n", "t.conf:2: [a.b]: 'a' is already a value" },
    { "a.b = 1\n", "t.conf:1: dotted keys are not supported: use a [table]" },
    { "a = {}\n", "t.conf:1: inline tables are not supported" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = NULL;
      g_autoptr (TomlValue) v = parse (cases[i].text, &message);
      cr_assert_null (v, "%s", cases[i].text);
      cr_assert_str_eq (message, cases[i].message);
    }
}
