/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the unit-file parser (lib/unitfile.c) and the word
 * splitting/escaping it relies on (lib/escape.c).
 *
 * Beyond "no crash, no sanitizer report" it checks the properties the
 * generator depends on:
 * - a failed parse always comes with an error message;
 * - every lookup kind runs on every key of every group;
 * - to_string() output parses again, and writing that back gives the same
 *   text with the same groups, keys and values (one normalisation step);
 * - command lines escaped with escape_words() split back into the same
 *   words (what systemd reads must be what the generator meant). */
#include "escape.h"
#include "unitfile.h"
#include "fuzz-check.h"

#include <stdint.h>
#include <string.h>

static void
check_strv_equal (char **a, char **b, const char *what)
{
  guint na = g_strv_length (a), nb = g_strv_length (b);
  CHECK (na == nb, "%s: %u vs %u values", what, na, nb);
  for (guint i = 0; i < na; i++)
    CHECK (strcmp (a[i], b[i]) == 0, "%s[%u]: '%s' vs '%s'", what, i, a[i], b[i]);
}

/* Words of an Exec= line that can be written back: escape_words() maps
 * invalid UTF-8 to \xNN (read back as a code point, as Quadlet does) and
 * drops empty words, so only those two cases are exempt. */
static void
check_escape_round_trip (char **words)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_auto (GStrv) back = NULL;

  for (char **w = words; *w; w++)
    if (**w == '\0' || !g_utf8_validate (*w, -1, NULL))
      return;
  line = escape_words ((const char *const *) words, -1);
  back = split_string (line, WHITESPACE_SEPARATORS, SPLIT_EXEC, &error);
  CHECK (back != NULL, "re-split of '%s' failed: %s", line, error->message);
  check_strv_equal (words, back, "escape round trip");
}

/* What the generator does with arguments: add_cmdline() / add_escaped()
 * into a service, written out, read back as systemd would (exec-style
 * split of the written line) gives the same words. */
static void
check_written_cmdline (char **words)
{
  g_autoptr (UnitFile) service = unit_file_new ();
  g_autoptr (UnitFile) back = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) cmd = NULL;
  g_auto (GStrv) single = NULL;
  g_autofree char *text = NULL;

  if (words[0] == NULL)
    return;
  for (char **w = words; *w; w++)
    if (**w == '\0' || !g_utf8_validate (*w, -1, NULL))
      return;
  unit_file_add_cmdline (service, "Service", "ExecStart", (const char *const *) words);
  unit_file_add_escaped (service, "Service", "X-One", words[0]);
  text = unit_file_to_string (service);
  back = unit_file_parse (text, -1, "fz.service", &error);
  CHECK (back != NULL, "written command line does not parse: %s\n%s", error->message, text);
  CHECK (unit_file_lookup_last_args (back, "Service", "ExecStart", &cmd, &error),
         "written command line does not split: %s\n%s", error->message, text);
  check_strv_equal (words, cmd, "written ExecStart");
  CHECK (unit_file_lookup_last_args (back, "Service", "X-One", &single, &error),
         "escaped value does not split: %s", error->message);
  CHECK (single != NULL && single[0] != NULL && single[1] == NULL
             && strcmp (single[0], words[0]) == 0,
         "escaped value '%s' read back differently:\n%s", words[0], text);
}

static void
exercise_key (const UnitFile *f, const char *group, const char *key)
{
  const char *raw = unit_file_lookup_last_raw (f, group, key);
  const char *source = NULL;
  g_autofree char *last = unit_file_lookup_last (f, group, key);
  g_autofree char *value = unit_file_lookup (f, group, key);
  g_auto (GStrv) all_raw = unit_file_lookup_all_raw (f, group, key);
  g_auto (GStrv) all = unit_file_lookup_all (f, group, key);
  g_auto (GStrv) strv = unit_file_lookup_all_strv (f, group, key);
  g_auto (GStrv) args = unit_file_lookup_all_args (f, group, key);
  g_auto (GStrv) last_args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) env = NULL;
  gboolean b = FALSE;
  guint32 id = 0;

  CHECK (raw != NULL && last != NULL && value != NULL, "[%s] %s listed but not found", group, key);
  CHECK (unit_file_has_key (f, group, key), "[%s] %s", group, key);
  CHECK (unit_file_lookup_line (f, group, key, &source) > 0, "[%s] %s has no line", group, key);
  CHECK (strlen (value) <= strlen (last), "lookup longer than lookup_last");
  unit_file_lookup_boolean (f, group, key, &b);
  (void) unit_file_lookup_boolean_default (f, group, key, TRUE);
  (void) unit_file_lookup_int (f, group, key, -1);
  (void) unit_file_lookup_uint32 (f, group, key, 7);
  /* Names go through NSS (slow, and its caches look like leaks); numbers
   * exercise the conversion. */
  if (g_ascii_isdigit (value[0]) || value[0] == '-' || value[0] == '+')
    {
      g_autoptr (GError) e1 = NULL, e2 = NULL;
      if (!unit_file_lookup_uid (f, group, key, 0, &id, &e1))
        CHECK (e1 != NULL, "uid failure without error");
      if (!unit_file_lookup_gid (f, group, key, 0, &id, &e2))
        CHECK (e2 != NULL, "gid failure without error");
    }
  CHECK (g_strv_length (all) == g_strv_length (all_raw), "all vs all_raw");
  if (raw[0] != '\0')
    CHECK (g_strv_length (all) > 0 && strcmp (all_raw[g_strv_length (all_raw) - 1], raw) == 0,
           "last of all_raw is not the last value");

  if (unit_file_lookup_last_args (f, group, key, &last_args, &error))
    {
      CHECK (last_args != NULL, "last_args: TRUE without words for a present key");
      check_escape_round_trip (last_args);
      check_written_cmdline (last_args);
    }
  else
    CHECK (error != NULL && last_args == NULL, "last_args failed without error");
  check_escape_round_trip (args);
  check_escape_round_trip (strv);

  env = unit_file_lookup_all_key_val (f, group, key, warnings);
  CHECK (env != NULL, "key_val");
  for (guint i = 0; i < warnings->len; i++)
    CHECK (warnings->pdata[i] != NULL && ((char *) warnings->pdata[i])[0] != '\0', "empty warning");

  {
    g_autofree char *escaped = path_escape (value);
    (void) word_needs_escape (value);
    (void) escaped;
  }
}

/* Drops trailing whitespace as the parser trims a line: Go's TrimSpace
 * set, \v and \f included (g_strchomp's g_ascii_isspace has no \v). */
static void
chomp_as_parser (char *v)
{
  gsize n = strlen (v);
  while (n > 0 && strchr (" \t\n\r\v\f", v[n - 1]))
    v[--n] = '\0';
}

/* Groups, keys and every value of both files are the same, except for
 * trailing whitespace: a value can only end in whitespace through a
 * backslash on the file's last line ("A=b \" at EOF), and written back as
 * "A=b " the line is trimmed when read (the same in Quadlet). */
static void
check_same_content (const UnitFile *a, const UnitFile *b)
{
  g_auto (GStrv) ga = unit_file_list_groups (a);
  g_auto (GStrv) gb = unit_file_list_groups (b);

  check_strv_equal (ga, gb, "groups");
  for (char **g = ga; *g; g++)
    {
      g_auto (GStrv) ka = unit_file_list_keys (a, *g);
      g_auto (GStrv) kb = unit_file_list_keys (b, *g);
      check_strv_equal (ka, kb, "keys");
      for (char **k = ka; *k; k++)
        {
          g_auto (GStrv) va = unit_file_lookup_all_raw (a, *g, *k);
          g_auto (GStrv) vb = unit_file_lookup_all_raw (b, *g, *k);
          for (char **v = va; *v; v++)
            chomp_as_parser (*v);
          for (char **v = vb; *v; v++)
            chomp_as_parser (*v);
          check_strv_equal (va, vb, *k);
        }
    }
}

/* A key line of @text that ends in a backslash once trimmed as the parser
 * trims (\v and \f too, which g_strstrip keeps). Such a value comes only
 * from "A=b\\" on the last line (one backslash is eaten as a
 * continuation, as Quadlet does); written back it continues into the next
 * line, so content cannot survive the round trip. Quadlet has the same
 * limitation; the round trip is then only required to parse. */
static gboolean
has_dangling_backslash (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char *t = *l + strspn (*l, " \t\n\r\v\f");
      gsize n;

      chomp_as_parser (t);
      n = strlen (t);
      if (n > 0 && t[0] != '#' && t[0] != ';' && t[n - 1] == '\\')
        return TRUE;
    }
  return FALSE;
}

/* @f written out and parsed again holds what @f holds, and a second
 * write gives the same text. */
static void
check_round_trip (const UnitFile *f)
{
  g_autofree char *text = unit_file_to_string (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (UnitFile) again = unit_file_parse (text, -1, "again.container", &error);
  g_autofree char *text2 = NULL;
  g_autoptr (UnitFile) third = NULL;
  g_autofree char *text3 = NULL;

  CHECK (again != NULL, "to_string output does not parse: %s\n---\n%s---", error->message, text);
  if (has_dangling_backslash (text))
    return;
  check_same_content (f, again);
  text2 = unit_file_to_string (again);
  third = unit_file_parse (text2, -1, "third.container", &error);
  CHECK (third != NULL, "second to_string output does not parse: %s", error->message);
  text3 = unit_file_to_string (third);
  CHECK (strcmp (text2, text3) == 0, "to_string not stable:\n---\n%s---\n%s---", text2, text3);
  check_same_content (again, third);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (UnitFile) f =
      unit_file_parse ((const char *) data, (gssize) size, "/etc/containers/systemd/a-b@c.container",
                       &error);
  g_auto (GStrv) groups = NULL;

  if (f == NULL)
    {
      CHECK (error != NULL && error->message[0] != '\0', "parse failed without a message");
      return 0;
    }
  CHECK (error == NULL, "parse succeeded with an error set");

  groups = unit_file_list_groups (f);
  for (char **g = groups; *g; g++)
    {
      g_auto (GStrv) keys = unit_file_list_keys (f, *g);
      for (char **k = keys; *k; k++)
        exercise_key (f, *g, *k);
    }
  /* A key never contains '=' (the first one ends it). */
  CHECK (unit_file_lookup_last_raw (f, "Container", "Image=x") == NULL, "key with '='");

  check_round_trip (f);

  /* A copy and a file with itself merged in (drop-in style) must write
   * back just as well. */
  {
    g_autoptr (UnitFile) copy = unit_file_dup (f);
    g_autofree char *a = unit_file_to_string (f);
    g_autofree char *b = unit_file_to_string (copy);
    g_auto (GStrv) dirs = unit_file_get_dropin_dirs (f);
    CHECK (strcmp (a, b) == 0, "dup differs");
    CHECK (dirs[0] != NULL, "no drop-in dirs");
    unit_file_merge (copy, f);
    check_round_trip (copy);
  }
  return 0;
}
