/* SPDX-License-Identifier: Apache-2.0 */
#include "systemd/duration.h"

#include <string.h>

static const struct
{
  const char *unit;
  double usec;
} units[] = {
  /* Longest first so "ms" is not read as "m". */
  { "ns", 1e-3 }, { "us", 1 }, { "\xc2\xb5s", 1 }, { "ms", 1e3 },
  { "s", 1e6 },   { "m", 60e6 }, { "h", 3600e6 },
};

gboolean
duration_parse (const char *s, gint64 *usec, GError **error)
{
  const char *p = s;
  double total = 0;
  gboolean negative = FALSE;

  if (!s || !*s)
    goto bad;
  if (*p == '+' || *p == '-')
    negative = *p++ == '-';
  if (g_str_equal (p, "0"))
    {
      *usec = 0;
      return TRUE;
    }
  if (!*p)
    goto bad;
  while (*p)
    {
      char *end = NULL;
      double v;
      gsize best = 0;
      double mult = 0;

      if (!g_ascii_isdigit (*p) && *p != '.')
        goto bad;
      v = g_ascii_strtod (p, &end);
      if (end == p)
        goto bad;
      p = end;
      for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
        {
          gsize len = strlen (units[i].unit);
          if (len > best && strncmp (p, units[i].unit, len) == 0)
            {
              best = len;
              mult = units[i].usec;
            }
        }
      if (!best)
        goto bad;
      p += best;
      total += v * mult;
    }
  if (total > (double) G_MAXINT64)
    goto bad;
  *usec = (gint64) (negative ? -total : total);
  return TRUE;
bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "invalid duration \"%s\"",
               s ? s : "");
  return FALSE;
}
