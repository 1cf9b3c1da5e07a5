/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include "unitfile.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static UnitFile *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  UnitFile *f = unit_file_parse (text, -1, "/x/web.container", &error);
  cr_assert_not_null (f, "parse failed: %s", error ? error->message : "?");
  return f;
}

Test (unitfile, continuation_and_comments)
{
  g_autoptr (UnitFile) f = parse_ok ("[Container]\n"
                                     "Exec=/bin/sh -c \\\n"
                                     "# a comment inside the continuation\n"
                                     "  \"echo hi\"\n"
                                     "Image=busybox\n");
  g_autofree char *exec = unit_file_lookup (f, "Container", "Exec");
  cr_assert_str_eq (exec, "/bin/sh -c \"echo hi\"");
  cr_assert_eq (unit_file_lookup_line (f, "Container", "Image", NULL), 5);
  cr_assert_eq (unit_file_lookup_line (f, "Container", "Exec", NULL), 2);
}

Test (unitfile, empty_assignment_resets_list)
{
  g_autoptr (UnitFile) f = parse_ok ("[Container]\nVolume=/a:/a\nVolume=\nVolume=/b:/b\n"
                                     "Volume=/c:/c\n");
  g_auto (GStrv) all = unit_file_lookup_all (f, "Container", "Volume");
  cr_assert_eq (g_strv_length (all), 2);
  cr_assert_str_eq (all[0], "/b:/b");
  cr_assert_str_eq (all[1], "/c:/c");
}

Test (unitfile, repeated_groups_merge_in_order)
{
  g_autoptr (UnitFile) f = parse_ok ("[Unit]\nA=1\n[Service]\nB=2\n[Unit]\nA=3\n");
  g_auto (GStrv) groups = unit_file_list_groups (f);
  g_auto (GStrv) a = unit_file_lookup_all (f, "Unit", "A");
  cr_assert_eq (g_strv_length (groups), 2);
  cr_assert_str_eq (a[1], "3");
  g_autofree char *last = unit_file_lookup (f, "Unit", "A");
  cr_assert_str_eq (last, "3");
}

Test (unitfile, bad_line_names_file_and_line)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (UnitFile) f =
      unit_file_parse ("[Container]\nImage=x\nthis is not valid\n", -1, "/etc/web.container", &error);
  cr_assert_null (f);
  cr_assert_not_null (strstr (error->message, "/etc/web.container:3:"), "%s", error->message);
}

Test (unitfile, key_before_group_is_an_error)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (UnitFile) f = unit_file_parse ("Image=x\n", -1, "a.container", &error);
  cr_assert_null (f);
  cr_assert_not_null (strstr (error->message, "a.container:1:"));
}

Test (unitfile, nul_byte_rejected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (UnitFile) f = unit_file_parse ("[A]\nB=\0C\n", 9, "g.container", &error);
  cr_assert_null (f);
  cr_assert_not_null (strstr (error->message, "g.container:2:"), "%s", error->message);
}

Test (unitfile, huge_line_error_is_short)
{
  gsize n = 10 * 1024 * 1024;
  g_autofree char *big = g_malloc (n + 1);
  g_autoptr (GError) error = NULL;
  memset (big, 'x', n);
  big[n] = '\0';
  g_autoptr (UnitFile) f = unit_file_parse (big, -1, "big.container", &error);
  cr_assert_null (f);
  cr_assert_lt (strlen (error->message), 400);
}

Test (unitfile, quotes_stripped_by_lookup_only_when_matched)
{
  g_autoptr (UnitFile) f = parse_ok ("[X]\nA=\"quoted\"  \nB=\"half\nC=  spaced  \n");
  g_autofree char *a = unit_file_lookup (f, "X", "A");
  g_autofree char *b = unit_file_lookup (f, "X", "B");
  g_autofree char *c = unit_file_lookup_last (f, "X", "C");
  cr_assert_str_eq (a, "quoted");
  cr_assert_str_eq (b, "\"half");
  cr_assert_str_eq (c, "spaced");
}

Test (unitfile, booleans_and_numbers)
{
  g_autoptr (UnitFile) f = parse_ok ("[X]\nA=Yes\nB=off\nN=0x10\nO=010\nBad=12abc\n");
  cr_assert (unit_file_lookup_boolean_default (f, "X", "A", FALSE));
  cr_assert_not (unit_file_lookup_boolean_default (f, "X", "B", TRUE));
  cr_assert (unit_file_lookup_boolean_default (f, "X", "Missing", TRUE));
  cr_assert_eq (unit_file_lookup_int (f, "X", "N", 0), 16);
  cr_assert_eq (unit_file_lookup_int (f, "X", "O", 0), 8);
  cr_assert_eq (unit_file_lookup_int (f, "X", "Bad", 7), 7);
}

Test (unitfile, args_unescape_and_error)
{
  g_autoptr (UnitFile) f = parse_ok ("[X]\nExec=a \"b c\" d\\x41 'e f'\nBad=a \\q\n");
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  cr_assert (unit_file_lookup_last_args (f, "X", "Exec", &args, NULL));
  cr_assert_eq (g_strv_length (args), 4);
  cr_assert_str_eq (args[1], "b c");
  cr_assert_str_eq (args[2], "dA");
  cr_assert_str_eq (args[3], "e f");
  g_auto (GStrv) bad = NULL;
  cr_assert_not (unit_file_lookup_last_args (f, "X", "Bad", &bad, &error));
  cr_assert_str_eq (error->message, "unsupported escape char");
}

Test (unitfile, key_val)
{
  g_autoptr (UnitFile) f = parse_ok ("[X]\nEnvironment=A=1 \"B=two words\"\nEnvironment=A=3 bare\n");
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) kv = unit_file_lookup_all_key_val (f, "X", "Environment", warnings);
  cr_assert_str_eq (g_hash_table_lookup (kv, "A"), "3");
  cr_assert_str_eq (g_hash_table_lookup (kv, "B"), "two words");
  cr_assert (g_hash_table_contains (kv, "bare"));
  cr_assert_null (g_hash_table_lookup (kv, "bare"));
  cr_assert_eq (warnings->len, 1);
}

Test (unitfile, round_trip_keeps_comments)
{
  const char *text = "# head\n[Unit]\nDescription=x\n\n# before service\n[Service]\n# c\nA=1\n";
  g_autoptr (UnitFile) f = parse_ok (text);
  g_autofree char *out = unit_file_to_string (f);
  cr_assert_str_eq (out, text);
}

/* Found by the fuzzer: blank lines before the first group. The blank line
 * dropped between groups (re-added when writing) must not be dropped
 * there, where nothing re-adds it. */
Test (unitfile, round_trip_blank_lines_before_first_group)
{
  g_autoptr (UnitFile) f = parse_ok ("\n\n[n]");
  g_autofree char *out = unit_file_to_string (f);
  g_autoptr (UnitFile) again = parse_ok (out);
  g_autofree char *out2 = unit_file_to_string (again);
  cr_assert_str_eq (out2, out);
  cr_assert_str_eq (out, "\n\n[n]\n");
}

/* A generator runs at boot: a FIFO, a device or an endless file named like
 * a unit must give an error at once, never block or read without end. */
Test (unitfile, load_refuses_what_is_not_a_small_regular_file)
{
  g_autofree char *dir = g_dir_make_tmp ("test-unitfile-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "f.container", NULL);
  g_autofree char *big = g_build_filename (dir, "big.container", NULL);
  g_autofree char *text = g_strnfill (UNIT_FILE_MAX_SIZE + 1, '#');
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;

  cr_assert_eq (mkfifo (fifo, 0600), 0);
  cr_assert_null (unit_file_load (fifo, &e1));
  cr_assert (strstr (e1->message, "not a regular file (a FIFO)") != NULL, "%s", e1->message);
  cr_assert_null (unit_file_load ("/dev/zero", &e2));
  cr_assert (strstr (e2->message, "/dev/zero:1: not a regular file") != NULL, "%s", e2->message);
  cr_assert (g_file_set_contents (big, text, -1, NULL));
  cr_assert_null (unit_file_load (big, &e3));
  cr_assert (strstr (e3->message, "larger than 1024 KiB") != NULL, "%s", e3->message);
  unlink (fifo);
  unlink (big);
  rmdir (dir);
}

Test (unitfile, set_unset_rename)
{
  g_autoptr (UnitFile) f = parse_ok ("[Container]\nImage=a\nLabel=x\n[X-Container]\nLabel=y\n");
  unit_file_set (f, "Container", "Image", "b");
  unit_file_unset (f, "Container", "Label");
  unit_file_rename_group (f, "Container", "X-Container");
  g_auto (GStrv) labels = unit_file_lookup_all (f, "X-Container", "Label");
  g_autofree char *image = unit_file_lookup (f, "X-Container", "Image");
  cr_assert_not (unit_file_has_group (f, "Container"));
  cr_assert_str_eq (image, "b");
  cr_assert_eq (g_strv_length (labels), 1);
}

Test (unitfile, template_parts_and_dropins)
{
  g_autoptr (UnitFile) f = unit_file_new ();
  g_autofree char *name = NULL, *inst = NULL;
  unit_file_set_filename (f, "foo-bar@baz.container");
  cr_assert (unit_file_get_template_parts (f, &name, &inst));
  cr_assert_str_eq (name, "foo-bar");
  cr_assert_str_eq (inst, "baz");
  g_auto (GStrv) dirs = unit_file_get_dropin_dirs (f);
  const char *want[] = { "foo-bar@baz.container.d", "foo-bar@.container.d", "foo-@.container.d",
                         "foo-.container.d", "container.d", NULL };
  cr_assert_eq (g_strv_length (dirs), 5);
  for (int i = 0; want[i]; i++)
    cr_assert_str_eq (dirs[i], want[i]);
}

/* Found by tests/fuzz (unitfile, 2026-12-02 campaign): "[=\\" on the last
 * line was read as key "[" (the continuation at the end of the file
 * dropped), written back as a line the next read joined with a header.
 * A '[' line that is no header is an error, as in Quadlet. */
Test (unitfile, bracket_line_that_is_no_header)
{
  static const char *const bad[] = { "[A]\n[=\\\\", "[A]\n[x=1\n", "[A]\n[B]x=1\n" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (UnitFile) f = unit_file_parse (bad[i], -1, "t.container", &error);
      cr_assert_null (f, "%s", bad[i]);
      cr_assert (strstr (error->message, "t.container:2: “[")
                     && strstr (error->message, "is not a key-value pair, group, or comment"),
                 "%s", error->message);
    }
}
