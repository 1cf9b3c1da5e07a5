/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include "escape.h"

Test (escape, split_exec_words)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) w = split_string ("  one 'two three'\t\"f\\\"our\" \\s5 ", NULL, SPLIT_EXEC, &error);
  cr_assert_not_null (w);
  cr_assert_eq (g_strv_length (w), 4);
  cr_assert_str_eq (w[1], "two three");
  cr_assert_str_eq (w[2], "f\"our");
  cr_assert_str_eq (w[3], " 5");
}

Test (escape, unterminated_quote_relaxed_and_strict)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) relaxed = split_string ("a \"b c", NULL, SPLIT_EXEC, NULL);
  cr_assert_eq (g_strv_length (relaxed), 2);
  cr_assert_str_eq (relaxed[1], "b c");
  g_auto (GStrv) strict = split_string ("a \"b c", NULL, SPLIT_UNQUOTE, &error);
  cr_assert_null (strict);
  cr_assert_str_eq (error->message, "unbalanced quotes");
}

Test (escape, bad_escape_is_error)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) w = split_string ("x \\z", NULL, SPLIT_EXEC, &error);
  cr_assert_null (w);
  cr_assert_str_eq (error->message, "unsupported escape char");
}

Test (escape, escape_words_round_trip)
{
  const char *words[] = { "podman", "run", "--env", "A=b c", "quote\"d", "back\\slash", "tab\t", NULL };
  g_autofree char *line = escape_words (words, -1);
  cr_assert_str_eq (line, "podman run --env \"A=b c\" \"quote\\\"d\" \"back\\\\slash\" \"tab\\t\"");
  g_auto (GStrv) back = split_string (line, NULL, SPLIT_EXEC, NULL);
  for (int i = 0; words[i]; i++)
    cr_assert_str_eq (back[i], words[i]);
}

Test (escape, path_escape)
{
  g_autofree char *e = path_escape ("/var/lib/my-data");
  cr_assert_str_eq (e, "var-lib-my\\x2ddata");
}

/* has_unterminated_quote() answers what the split would, without it. */
Test (escape, unterminated_quote_check_agrees_with_split)
{
  const char *cases[] = {
    "plain", "a \"b c", "'single", "\"done\" 'open", "a\"b c\"d", "\"it's fine\"",
    "'say \"hi\"'", "\"esc \\\" still open", "esc \\\" outside", "\"x\" \\", "\"open \\",
    "mid\"dle", "\"\"", "'", "", "A=\"1 2\" B='3", NULL,
  };

  for (const char **c = cases; *c; c++)
    {
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) words = split_string (*c, WHITESPACE_SEPARATORS,
                                           SPLIT_UNQUOTE | SPLIT_UNESCAPE_RELAX, &error);
      gboolean split_says = words == NULL &&
                            g_error_matches (error, ESCAPE_ERROR, ESCAPE_ERROR_UNBALANCED_QUOTES);
      cr_expect_eq (has_unterminated_quote (*c), split_says, "%s", *c);
    }
  cr_expect (has_unterminated_quote ("a \"b c"));
  cr_expect (!has_unterminated_quote ("a \"b c\""));
}
