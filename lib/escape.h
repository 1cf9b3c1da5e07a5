/* SPDX-License-Identifier: Apache-2.0 */
/* Splitting, unescaping and escaping of words the way systemd does for
 * Exec= style values (systemd's extract_first_word() and cescape()).
 * Quadlet's generated command lines must round-trip through systemd's own
 * parser, so these follow systemd's rules byte for byte. */
#pragma once

#include <glib.h>
#include <string.h>

/* g_string_append_len() with its common case, room enough, inline:
 * splitting, escaping and serializing append many short runs. */
static inline void
string_append_run (GString *s, const char *p, gsize n)
{
  if (s->len + n < s->allocated_len)
    {
      memcpy (s->str + s->len, p, n);
      s->len += n;
      s->str[s->len] = '\0';
    }
  else
    g_string_append_len (s, p, (gssize) n);
}

typedef enum {
  SPLIT_RELAX = 1 << 0,                   /* allow unbalanced quotes, eat a trailing backslash */
  SPLIT_CUNESCAPE = 1 << 1,               /* apply C escapes */
  SPLIT_UNESCAPE_RELAX = 1 << 2,          /* keep unknown escapes verbatim */
  SPLIT_UNESCAPE_SEPARATORS = 1 << 3,     /* "\ " is a literal separator */
  SPLIT_KEEP_QUOTE = 1 << 4,              /* quotes group words and are kept */
  SPLIT_UNQUOTE = 1 << 5,                 /* quotes group words and are removed */
  SPLIT_DONT_COALESCE_SEPARATORS = 1 << 6,
  SPLIT_RETAIN_ESCAPE = 1 << 7,           /* backslash is an ordinary character */
  SPLIT_RETAIN_SEPARATORS = 1 << 8,
} SplitFlags;

#define WHITESPACE_SEPARATORS " \t\n\r"

/* Exec-like splitting: SPLIT_RELAX | SPLIT_UNQUOTE | SPLIT_CUNESCAPE. */
#define SPLIT_EXEC (SPLIT_RELAX | SPLIT_UNQUOTE | SPLIT_CUNESCAPE)

#define ESCAPE_ERROR (escape_error_quark ())
GQuark escape_error_quark (void);
typedef enum {
  ESCAPE_ERROR_UNBALANCED_ESCAPE,
  ESCAPE_ERROR_UNBALANCED_QUOTES,
  ESCAPE_ERROR_UNSUPPORTED_ESCAPE, /* message: "unsupported escape char" */
} EscapeError;

/* Extracts the first word of *p, advancing *p past it.
 * Returns 1 and sets *ret (caller frees) when a word was found, 0 at the end
 * of input, -1 with @error set on bad input. */
int extract_first_word (const char **p, char **ret, const char *separators, SplitFlags flags,
                        GError **error);

/* Appends every word of @s to @out (a GPtrArray of g_free'd strings).
 * On error nothing is appended. */
gboolean split_string_append (GPtrArray *out, const char *s, const char *separators,
                              SplitFlags flags, GError **error);

/* Calls @func with each word of @s (@word is valid during the call only);
 * FALSE with @error on bad input, after the words before it. */
typedef void (*SplitWordFunc) (const char *word, gsize len, gpointer data);
gboolean split_string_foreach (const char *s, const char *separators, SplitFlags flags,
                               SplitWordFunc func, gpointer data, GError **error);

/* NULL-terminated vector of the words of @s; NULL with @error on bad input. */
char **split_string (const char *s, const char *separators, SplitFlags flags, GError **error);

/* Decodes one C escape at @p (just after the backslash). Returns the number
 * of input bytes used and stores the code point (or byte, *eight_bit) in
 * *ret; -1 when the escape is not valid. */
int cunescape_one (const char *p, gsize len, gunichar *ret, gboolean *eight_bit, gboolean accept_nul);

/* Whether splitting @s with SPLIT_UNQUOTE | SPLIT_UNESCAPE_RELAX fails
 * with ESCAPE_ERROR_UNBALANCED_QUOTES (a quote still open at the end),
 * without splitting it. */
gboolean has_unterminated_quote (const char *s);

gboolean word_needs_escape (const char *word);

/* Appends @word to @out, double-quoted and C-escaped when it needs it. */
void append_escaped_word (GString *out, const char *word);

/* Words joined by spaces, each quoted/escaped as needed (Quadlet's escapeWords). */
char *escape_words (const char *const *words, gssize n);
/* The same in a buffer of the calling thread, valid until its next call
 * (and its length in *@len, optional). */
const char *escape_words_scratch (const char *const *words, gssize n, gsize *len);

/* systemd unit-name path escaping (systemd-escape --path style, '/' -> '-'). */
char *path_escape (const char *path);
