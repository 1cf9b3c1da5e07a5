/* SPDX-License-Identifier: Apache-2.0 */
/* The Containerfile parser and word expansion `podunit build` runs
 * (image/containerfile.c). */
#include "image/containerfile.h"

#include <criterion/criterion.h>

static CfInstruction *
nth (Containerfile *cf, guint i)
{
  cr_assert_lt (i, cf->instructions->len);
  return cf->instructions->pdata[i];
}

static char *
joined (char **v)
{
  return g_strjoinv ("|", v);
}

Test (containerfile, instructions_keywords_lines_comments)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Containerfile) cf = containerfile_parse ("# leading comment\n"
                                                      "ARG BASE=busybox\n"
                                                      "from $BASE AS build\n"
                                                      "\n"
                                                      "  run echo one \\\n"
                                                      "# a comment inside a continuation\n"
                                                      "   two\\\n"
                                                      "three\n"
                                                      "Copy --chown=1:2 a b /dst/\n"
                                                      "CMD [\"/bin/echo\", \"hi\"]\n"
                                                      "ENTRYPOINT echo [not json\r\n",
                                                      &error);
  cr_assert_not_null (cf, "%s", error ? error->message : "");
  cr_assert_eq (cf->instructions->len, 6);
  cr_assert_eq (nth (cf, 0)->kind, CF_ARG);
  cr_assert_eq (nth (cf, 0)->line, 2);
  cr_assert_eq (nth (cf, 1)->kind, CF_FROM);
  cr_assert_str_eq (nth (cf, 1)->keyword, "FROM");
  cr_assert_str_eq (nth (cf, 1)->args, "$BASE AS build");
  cr_assert_eq (nth (cf, 2)->kind, CF_RUN);
  cr_assert_eq (nth (cf, 2)->line, 5);
  cr_assert_str_eq (nth (cf, 2)->args, "echo one    twothree");
  cr_assert_null (nth (cf, 2)->exec);
  cr_assert_eq (nth (cf, 3)->kind, CF_COPY);
  cr_assert_eq (nth (cf, 3)->line, 9);
  cr_assert_str_eq (containerfile_flag (nth (cf, 3), "chown"), "1:2");
  cr_assert_null (containerfile_flag (nth (cf, 3), "chmod"));
  cr_assert_str_eq (nth (cf, 3)->args, "a b /dst/");
  {
    g_autofree char *j = joined (nth (cf, 4)->exec);
    cr_assert_str_eq (j, "/bin/echo|hi");
  }
  /* not a JSON array: the shell form */
  cr_assert_null (nth (cf, 5)->exec);
  cr_assert_str_eq (nth (cf, 5)->args, "echo [not json");
}

static void
assert_refused (const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Containerfile) cf = containerfile_parse (text, &error);
  cr_assert_null (cf, "accepted: %s", text);
  cr_assert_str_eq (error->message, message);
}

Test (containerfile, refusals_name_the_line)
{
  assert_refused ("FROM a\nFROB x\n", "2: unknown instruction: FROB");
  assert_refused ("FROM a\n\nHEALTHCHECK CMD true\n", "3: HEALTHCHECK is not supported by podunit build");
  assert_refused ("FROM a AS one\nRUN true\nFROM b\n",
                  "3: a second FROM: multi-stage builds are not supported by podunit build (one "
                  "stage only)");
  assert_refused ("RUN true\nFROM a\n",
                  "1: RUN before FROM: the first instruction must be FROM (only ARG may precede it)");
  assert_refused ("# nothing\n", "no FROM instruction");
  assert_refused ("FROM a\nRUN\n", "2: RUN requires at least one argument");
}

Test (containerfile, words_quotes_and_variables)
{
  g_autoptr (GError) error = NULL;
  char *vars[] = { "A=one", "B=two words", "A=uno", "EMPTY=", NULL };
  g_auto (GStrv) w = containerfile_words (
      "$A ${B} '$A' \"$A x\" \\$A pre${A}post ${NOPE:-dflt} ${A:+alt} ${EMPTY:-e} ${NOPE:+x}end $",
      vars, &error);
  g_autofree char *j = NULL;
  cr_assert_not_null (w, "%s", error ? error->message : "");
  j = joined (w);
  cr_assert_str_eq (j, "uno|two words|$A|uno x|$A|preunopost|dflt|alt|e|end|$");
}

Test (containerfile, words_errors)
{
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;
  cr_assert_null (containerfile_words ("\"open", NULL, &e1));
  cr_assert_str_eq (e1->message, "unterminated double quote");
  cr_assert_null (containerfile_words ("${A", NULL, &e2));
  cr_assert_str_eq (e2->message, "bad substitution: missing '}' after ${A");
  cr_assert_null (containerfile_words ("${}", NULL, &e3));
}

Test (containerfile, pairs)
{
  g_autoptr (GError) error = NULL;
  char *vars[] = { "V=1.0", NULL };
  g_auto (GStrv) p = containerfile_pairs ("A=1 B=\"x y\" C=$V", vars, &error);
  g_auto (GStrv) legacy = containerfile_pairs ("NAME John  Doe", vars, &error);
  g_autofree char *j = joined (p), *jl = joined (legacy);
  cr_assert_str_eq (j, "A=1|B=x y|C=1.0");
  cr_assert_str_eq (jl, "NAME=John Doe");
  cr_assert_null (containerfile_pairs ("A=1 B", NULL, &error));
  cr_assert_str_eq (error->message, "\"B\": not KEY=VALUE");
}
