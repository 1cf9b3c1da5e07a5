/* SPDX-License-Identifier: Apache-2.0 */
/* Containerfile (Dockerfile) syntax, as `podunit build` reads it: pure
 * functions of the text, no file system (tests/unit/image/test-containerfile.c).
 *
 * containerfile_parse splits the text into instructions: comment lines and
 * blank lines dropped (also inside a continuation, as Docker does), a line
 * ending in a backslash joined with the next, the keyword matched without
 * regard to case, leading "--flag[=value]" words kept apart (COPY --chown,
 * FROM --platform), and a JSON array of strings after RUN, CMD,
 * ENTRYPOINT, SHELL, COPY, ADD or VOLUME read as the exec form. It checks
 * what needs no value: known keyword, one build stage (a second FROM is an
 * error naming its line), FROM first (only ARG may come before it).
 *
 * Values are expanded when the instruction runs, with the variables of
 * that moment (ENV and ARG): containerfile_words and containerfile_pairs
 * read a shell-like word list with quotes, backslash escapes and $VAR,
 * ${VAR}, ${VAR:-default}, ${VAR:+alternative}. Errors name no file: the
 * caller adds "FILE:LINE: ". */
#pragma once

#include <glib.h>

typedef enum {
  CF_FROM,
  CF_RUN,
  CF_CMD,
  CF_ENTRYPOINT,
  CF_COPY,
  CF_ADD,
  CF_ENV,
  CF_ARG,
  CF_LABEL,
  CF_WORKDIR,
  CF_USER,
  CF_EXPOSE,
  CF_VOLUME,
  CF_STOPSIGNAL,
  CF_SHELL,
  CF_MAINTAINER,
} CfKind;

typedef struct {
  CfKind kind;
  guint line;     /* where the instruction starts (1-based) */
  char *keyword;  /* upper case: "RUN" */
  char *flags[8]; /* the leading "--name[=value]" words, NULL-terminated */
  char *args;     /* the rest, continuations joined, trimmed */
  char **exec;    /* the JSON array form's strings; NULL: shell/word form */
} CfInstruction;

typedef struct {
  GPtrArray *instructions; /* CfInstruction *, in order */
} Containerfile;

Containerfile *containerfile_parse (const char *text, GError **error);
void containerfile_free (Containerfile *cf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Containerfile, containerfile_free)

/* The value of --@name in @ins's flags ("" for a bare --name), or NULL. */
const char *containerfile_flag (const CfInstruction *ins, const char *name);

/* @text's words, quotes removed and variables from @vars ("KEY=VALUE",
 * the last of a key wins; an unknown one is empty) expanded. */
char **containerfile_words (const char *text, char *const *vars, GError **error);
/* ENV and LABEL: "K=V K2=V2" or the legacy "K the rest" as "K=V" strings. */
char **containerfile_pairs (const char *text, char *const *vars, GError **error);
