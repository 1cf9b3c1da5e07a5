/* SPDX-License-Identifier: Apache-2.0 */
#include "error.h"

gboolean
errno_error (GError **error, GQuark domain, int code, int errsv, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  if (error == NULL)
    return FALSE;
  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, domain, code, "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

gboolean
gerror_set (GError **error, GQuark domain, int code, const char *format, ...)
{
  va_list ap;

  if (error == NULL)
    return FALSE;
  va_start (ap, format);
  *error = g_error_new_valist (domain, code, format, ap);
  va_end (ap);
  return FALSE;
}
