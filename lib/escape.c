/* SPDX-License-Identifier: Apache-2.0 */
/* Word splitting and escaping with systemd's semantics (extract_first_word,
 * cunescape_one, cescape), so that what the generator writes is read back by
 * systemd exactly as Quadlet's output is. */
#include "escape.h"

#include <string.h>

G_DEFINE_QUARK (podunit-escape-error-quark, escape_error)

static int
unoctchar (char c)
{
  return c >= '0' && c <= '7' ? c - '0' : -1;
}

static int
unhexchar (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int
cunescape_one (const char *p, gsize len, gunichar *ret, gboolean *eight_bit, gboolean accept_nul)
{
  gunichar c;
  int count = 1;

  *eight_bit = FALSE;
  if (len < 1)
    return -1;

  switch (p[0])
    {
    case 'a': c = '\a'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'v': c = '\v'; break;
    case '\\': c = '\\'; break;
    case '"': c = '"'; break;
    case '\'': c = '\''; break;
    case 's': c = ' '; break; /* an extension of the XDG syntax files */
    case 'x':
      {
        int a, b;
        if (len < 3)
          return -1;
        a = unhexchar (p[1]);
        b = unhexchar (p[2]);
        if (a < 0 || b < 0)
          return -1;
        if (a == 0 && b == 0 && !accept_nul)
          return -1;
        c = (gunichar) ((a << 4) | b);
        *eight_bit = TRUE;
        count = 3;
        break;
      }
    case 'u':
    case 'U':
      {
        int n = p[0] == 'u' ? 4 : 8;
        c = 0;
        if (len < (gsize) n + 1)
          return -1;
        for (int i = 0; i < n; i++)
          {
            int d = unhexchar (p[1 + i]);
            if (d < 0)
              return -1;
            c = (c << 4) | (gunichar) d;
          }
        if (c == 0 && !accept_nul)
          return -1;
        if (c > 0x10FFFF)
          return -1;
        count = n + 1;
        break;
      }
    case '0': case '1': case '2': case '3':
    case '4': case '5': case '6': case '7':
      {
        int a, b, d;
        if (len < 3)
          return -1;
        a = unoctchar (p[0]);
        b = unoctchar (p[1]);
        d = unoctchar (p[2]);
        if (a < 0 || b < 0 || d < 0)
          return -1;
        if (a == 0 && b == 0 && d == 0 && !accept_nul)
          return -1;
        c = (gunichar) ((a << 6) | (b << 3) | d);
        if (c > 255)
          return -1;
        *eight_bit = TRUE;
        count = 3;
        break;
      }
    default:
      return -1;
    }

  *ret = c;
  return count;
}

static void
append_unichar (GString *s, gunichar c, gboolean eight_bit)
{
  /* Go's WriteRune writes UTF-8 for every code point, including \xNN
   * values, which Quadlet inherits; do the same so output matches. */
  (void) eight_bit;
  g_string_append_unichar (s, c);
}

/* extract_first_word() into @s (emptied first), which the caller reuses:
 * no allocation per word. @stop is the string's end (its NUL): callers
 * splitting a whole string pass it so that each word costs its own length,
 * not the rest of the string's (a value of 400k words took seconds). */
static int
extract_word (const char **p, const char *stop, GString *s, const char *separators,
              SplitFlags flags, GError **error)
{
  const char *in = *p;
  gsize end, i = 0;
  char quote = 0;
  gboolean backslash = FALSE;
  gboolean started = FALSE; /* extract_first_word()'s word exists */
  /* The separators, to test each character cheaply. */
  static const guint8 whitespace[256] = { [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1 };
  guint8 other[256];
  const guint8 *sep = whitespace;
  char c;

  g_string_truncate (s, 0);
  if (separators != NULL && strcmp (separators, WHITESPACE_SEPARATORS) != 0)
    {
      memset (other, 0, sizeof other);
      for (const char *sp = separators; *sp; sp++)
        other[(guchar) *sp] = 1;
      sep = other;
    }
  if (in == NULL || *in == '\0')
    return 0;
  end = (gsize) (stop - in);

#define NEXT() (++i < end ? in[i] : '\0')
#define IS_SEP(ch) (sep[(guchar) (ch)])

  /* skip leading separators */
  for (c = in[0];; c = NEXT ())
    {
      if (c == '\0')
        goto finish_force_terminate;
      if (IS_SEP (c))
        {
          if (flags & SPLIT_DONT_COALESCE_SEPARATORS)
            {
              if (!(flags & SPLIT_RETAIN_SEPARATORS))
                i++;
              started = TRUE;
              goto finish_force_next;
            }
          continue;
        }
      break;
    }

  started = TRUE;
  for (;; c = NEXT ())
    {
      if (backslash)
        {
          if (c == '\0')
            {
              if ((flags & SPLIT_UNESCAPE_RELAX) && (quote == 0 || (flags & SPLIT_RELAX)))
                {
                  g_string_append_c (s, '\\');
                  goto finish_force_terminate;
                }
              if (flags & SPLIT_RELAX)
                goto finish_force_terminate;
              g_set_error_literal (error, ESCAPE_ERROR, ESCAPE_ERROR_UNBALANCED_ESCAPE,
                                   "unbalanced escape");
              return -1;
            }

          if (flags & (SPLIT_CUNESCAPE | SPLIT_UNESCAPE_SEPARATORS))
            {
              int r = -1;
              gunichar u = 0;
              gboolean eight_bit = FALSE;

              if (flags & SPLIT_CUNESCAPE)
                r = cunescape_one (in + i, end - i, &u, &eight_bit, FALSE);

              if (r > 0)
                {
                  i += (gsize) r - 1;
                  append_unichar (s, u, eight_bit);
                }
              else if ((flags & SPLIT_UNESCAPE_SEPARATORS) && (IS_SEP (c) || c == '\\'))
                g_string_append_c (s, c);
              else if (flags & SPLIT_UNESCAPE_RELAX)
                {
                  g_string_append_c (s, '\\');
                  g_string_append_c (s, c);
                }
              else
                {
                  g_set_error_literal (error, ESCAPE_ERROR, ESCAPE_ERROR_UNSUPPORTED_ESCAPE,
                                       "unsupported escape char");
                  return -1;
                }
            }
          else
            g_string_append_c (s, c);

          backslash = FALSE;
        }
      else if (quote != 0)
        {
          /* inside single or double quotes */
          for (;; c = NEXT ())
            {
              if (c == '\0')
                {
                  if (flags & SPLIT_RELAX)
                    goto finish_force_terminate;
                  g_set_error_literal (error, ESCAPE_ERROR, ESCAPE_ERROR_UNBALANCED_QUOTES,
                                       "unbalanced quotes");
                  return -1;
                }
              if (c == quote)
                {
                  quote = 0;
                  if (flags & SPLIT_UNQUOTE)
                    break;
                }
              else if (c == '\\' && !(flags & SPLIT_RETAIN_ESCAPE))
                {
                  backslash = TRUE;
                  break;
                }
              else if (quote != 0)
                {
                  /* A run of ordinary characters inside the quotes in one go. */
                  gsize j = i + 1;
                  while (j < end && in[j] != quote && in[j] != '\\')
                    j++;
                  string_append_run (s, in + i, j - i);
                  i = j - 1;
                  continue;
                }
              g_string_append_c (s, c);
              if (quote == 0)
                break;
            }
        }
      else
        {
          for (;; c = NEXT ())
            {
              if (c == '\0')
                goto finish_force_terminate;
              if ((c == '\'' || c == '"') && (flags & (SPLIT_KEEP_QUOTE | SPLIT_UNQUOTE)))
                {
                  quote = c;
                  if (flags & SPLIT_UNQUOTE)
                    break;
                }
              else if (c == '\\' && !(flags & SPLIT_RETAIN_ESCAPE))
                {
                  backslash = TRUE;
                  break;
                }
              else if (IS_SEP (c))
                {
                  if (flags & SPLIT_DONT_COALESCE_SEPARATORS)
                    {
                      if (!(flags & SPLIT_RETAIN_SEPARATORS))
                        i++;
                      goto finish_force_next;
                    }
                  if (!(flags & SPLIT_RETAIN_SEPARATORS))
                    {
                      for (;; c = NEXT ())
                        {
                          if (c == '\0')
                            goto finish_force_terminate;
                          if (!IS_SEP (c))
                            break;
                        }
                    }
                  goto finish;
                }
              else if (quote == 0)
                {
                  /* A run of ordinary characters (no quote, backslash or
                   * separator) in one go. */
                  gsize j = i + 1;
                  while (j < end && in[j] != '\'' && in[j] != '"' && in[j] != '\\' &&
                         !IS_SEP (in[j]))
                    j++;
                  string_append_run (s, in + i, j - i);
                  i = j - 1;
                  continue;
                }
              g_string_append_c (s, c);
              if (quote != 0)
                break;
            }
        }
    }

finish_force_terminate:
  i = end;
finish:
  if (!started || s->len == 0)
    {
      *p = in + end;
      return 0;
    }
finish_force_next:
  *p = in + MIN (i, end);
  return 1;
#undef NEXT
#undef IS_SEP
}

int
extract_first_word (const char **p, char **ret, const char *separators, SplitFlags flags,
                    GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);
  int r = extract_word (p, *p ? *p + strlen (*p) : NULL, s, separators, flags, error);

  *ret = r > 0 ? g_strndup (s->str, s->len) : NULL;
  return r;
}

static void
scratch_free (gpointer s)
{
  g_string_free (s, TRUE);
}

/* String buffers per thread, one for splitting and one for escaping, kept
 * while the thread runs (released at its exit): no allocation per word. */
static GString *
scratch_buffer (GPrivate *key)
{
  GString *s = g_private_get (key);

  if (s == NULL)
    {
      s = g_string_sized_new (1024);
      g_private_set (key, s);
    }
  return s;
}

static GPrivate split_scratch = G_PRIVATE_INIT (scratch_free);
static GPrivate escape_scratch = G_PRIVATE_INIT (scratch_free);

gboolean
split_string_append (GPtrArray *out, const char *s, const char *separators, SplitFlags flags,
                     GError **error)
{
  GString *word = scratch_buffer (&split_scratch);
  guint start = out->len;
  const char *p = s, *stop = s ? s + strlen (s) : NULL;

  for (;;)
    {
      int r = extract_word (&p, stop, word, separators, flags, error);
      if (r < 0)
        {
          /* Nothing appended on error. */
          while (out->len > start)
            g_free (g_ptr_array_steal_index (out, out->len - 1));
          return FALSE;
        }
      if (r == 0)
        break;
      g_ptr_array_add (out, g_strndup (word->str, word->len));
    }
  return TRUE;
}

gboolean
split_string_foreach (const char *s, const char *separators, SplitFlags flags,
                      SplitWordFunc func, gpointer data, GError **error)
{
  GString *word = scratch_buffer (&split_scratch);
  const char *p = s, *stop = s ? s + strlen (s) : NULL;

  for (;;)
    {
      int r = extract_word (&p, stop, word, separators, flags, error);
      if (r < 0)
        return FALSE;
      if (r == 0)
        return TRUE;
      func (word->str, word->len, data);
    }
}

char **
split_string (const char *s, const char *separators, SplitFlags flags, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  if (!split_string_append (out, s, separators, flags, error))
    return NULL;
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static gboolean
char_needs_escape (gunichar c, gboolean is_path)
{
  if (c > 128)
    return FALSE; /* unicode is fine */
  if (is_path && (c == '-' || c == '/'))
    return TRUE;
  return g_unichar_isspace (c) || g_unichar_iscntrl (c) || c == '"' || c == '\'' || c == '\\';
}

/* ASCII bytes that need escaping in a word: controls, space, quotes,
 * backslash (the same answer char_needs_escape gives, without decoding). */
static gboolean
ascii_needs_escape (unsigned char c)
{
  return c < 0x20 || c == 0x7f || c == ' ' || c == '"' || c == '\'' || c == '\\';
}

gboolean
has_unterminated_quote (const char *s)
{
  char quote = 0;

  s = strpbrk (s, "\"'\\"); /* most values have none of these */
  if (s == NULL)
    return FALSE;

  for (const char *p = s; *p; p++)
    {
      if (*p == '\\')
        {
          /* A trailing backslash ends the value (outside quotes) or is an
           * unbalanced escape (inside): not a quote problem either way. */
          if (p[1] == '\0')
            return FALSE;
          p++; /* the escaped character neither opens nor closes quotes */
        }
      else if (quote != 0)
        {
          if (*p == quote)
            quote = 0;
        }
      else if (*p == '\'' || *p == '"')
        quote = *p;
    }
  return quote != 0;
}

/* 1 for the ASCII bytes ascii_needs_escape() accepts, 2 for non-ASCII
 * (decoded by the slow path), 3 for the end of the string. */
static const guint8 escape_class[256] = {
  [0] = 3,
  [1] = 1, [2] = 1, [3] = 1, [4] = 1, [5] = 1, [6] = 1, [7] = 1, [8] = 1, [9] = 1, [10] = 1,
  [11] = 1, [12] = 1, [13] = 1, [14] = 1, [15] = 1, [16] = 1, [17] = 1, [18] = 1, [19] = 1,
  [20] = 1, [21] = 1, [22] = 1, [23] = 1, [24] = 1, [25] = 1, [26] = 1, [27] = 1, [28] = 1,
  [29] = 1, [30] = 1, [31] = 1, [' '] = 1, ['"'] = 1, ['\''] = 1, ['\\'] = 1, [0x7f] = 1,
  [0x80 ... 0xff] = 2,
};

gboolean
word_needs_escape (const char *word)
{
  for (const unsigned char *p = (const unsigned char *) word;; p++)
    {
      gunichar c;
      guint8 cls = escape_class[*p];
      if (cls == 0)
        continue;
      if (cls == 3)
        return FALSE;
      if (cls == 1)
        return TRUE;
      c = g_utf8_get_char_validated ((const char *) p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        c = *p;
      if (char_needs_escape (c, FALSE))
        return TRUE;
    }
  return FALSE;
}

static void
escape_string (GString *out, const char *word, gboolean is_path)
{
  for (const char *p = word; *p;)
    {
      gunichar c;
      gsize n;

      /* A run of plain ASCII is copied as it is, in one go. */
      for (n = 0; (guchar) p[n] < 0x80 && !ascii_needs_escape ((guchar) p[n]) &&
                  !(is_path && (p[n] == '-' || p[n] == '/'));
           n++)
        ;
      if (n > 0)
        {
          string_append_run (out, p, n);
          p += n;
          continue;
        }
      if ((guchar) *p < 0x80)
        {
          /* ASCII the run stopped at: it needs escaping (what the decoding
           * below would find too, without the calls). */
          c = (guchar) *p;
          n = 1;
          goto escape;
        }
      c = g_utf8_get_char_validated (p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* invalid UTF-8: escape the byte itself */
          g_string_append_printf (out, "\\x%.2x", (guchar) *p);
          p++;
          continue;
        }
      n = (gsize) (g_utf8_next_char (p) - p);
      if (!char_needs_escape (c, is_path))
        {
          string_append_run (out, p, n);
          p += n;
          continue;
        }
    escape:
      switch (c)
        {
        case '\a': g_string_append (out, "\\a"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\v': g_string_append (out, "\\v"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case ' ': g_string_append_c (out, ' '); break;
        case '"': g_string_append (out, "\\\""); break;
        case '\'': g_string_append_c (out, '\''); break;
        case '/':
          if (p != word)
            g_string_append_c (out, '-');
          break;
        default:
          g_string_append_printf (out, "\\x%.2x", (unsigned) c);
          break;
        }
      p += n;
    }
}

void
append_escaped_word (GString *out, const char *word)
{
  if (!word_needs_escape (word))
    {
      g_string_append (out, word);
      return;
    }
  g_string_append_c (out, '"');
  escape_string (out, word, FALSE);
  g_string_append_c (out, '"');
}

const char *
escape_words_scratch (const char *const *words, gssize n, gsize *len)
{
  GString *out = scratch_buffer (&escape_scratch);

  gsize total = 0, count = 0;
  gboolean plain = TRUE;
  char *p;

  /* Nearly every word needs no escaping: then one pass sizes the line and
   * a second copies the words, with no appends. */
  for (gssize i = 0; plain && (n < 0 ? words[i] != NULL : i < n); i++, count++)
    {
      const char *w = words[i];
      gsize wl;
      for (wl = 0; escape_class[(guchar) w[wl]] == 0; wl++)
        ;
      plain = w[wl] == '\0';
      total += wl + 1;
    }
  if (plain)
    {
      g_string_set_size (out, total > 0 ? total - 1 : 0);
      p = out->str;
      for (gsize i = 0; i < count; i++)
        {
          gsize wl = strlen (words[i]);
          if (i != 0)
            *p++ = ' ';
          memcpy (p, words[i], wl);
          p += wl;
        }
      if (len != NULL)
        *len = out->len;
      return out->str;
    }

  g_string_truncate (out, 0);
  for (gssize i = 0; n < 0 ? words[i] != NULL : i < n; i++)
    {
      const char *w = words[i];
      gsize wl;
      if (i != 0)
        g_string_append_c (out, ' ');
      for (wl = 0; escape_class[(guchar) w[wl]] == 0; wl++)
        ;
      if (w[wl] == '\0')
        string_append_run (out, w, wl);
      else
        append_escaped_word (out, w);
    }
  if (len != NULL)
    *len = out->len;
  return out->str;
}

char *
escape_words (const char *const *words, gssize n)
{
  gsize len;
  const char *s = escape_words_scratch (words, n, &len);
  return g_strndup (s, len);
}

char *
path_escape (const char *path)
{
  GString *out = g_string_new (NULL);
  escape_string (out, path, TRUE);
  return g_string_free (out, FALSE);
}
