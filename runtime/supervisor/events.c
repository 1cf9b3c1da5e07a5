/* SPDX-License-Identifier: Apache-2.0 */
/* The event log (events.h). */
#include "supervisor/events.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"

void
events_log_path (const char *runroot, char *out, unsigned long n)
{
  snprintf (out, n, "%s/events/events.log", runroot);
}

/* S as a JSON string into OUT at *POS (truncated when it does not fit). */
static void
put_string (char *out, size_t size, size_t *pos, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  if (*pos + 2 >= size)
    return;
  out[(*pos)++] = '"';
  for (; s && *s && *pos + 8 < size; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        {
          out[(*pos)++] = '\\';
          out[(*pos)++] = (char) c;
        }
      else if (c < 0x20)
        {
          memcpy (out + *pos, "\\u00", 4);
          out[*pos + 4] = hex[c >> 4];
          out[*pos + 5] = hex[c & 15];
          *pos += 6;
        }
      else
        out[(*pos)++] = (char) c;
    }
  out[(*pos)++] = '"';
}

void
events_append (const char *runroot, const char *type, const char *status, const char *id,
               const char *name, const char *image, int exit_code)
{
  char path[4096], line[8192], stamp[64], frac[16];
  size_t pos = 0;
  struct timespec ts;
  struct tm tm;
  int n;
  autofd int fd = -1;

  snprintf (path, sizeof path, "%s/events", runroot);
  (void) mkdir (path, 0700);
  events_log_path (runroot, path, sizeof path);
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  /* Go's RFC3339Nano: the fraction without its trailing zeros */
  snprintf (frac, sizeof frac, ".%09ld", ts.tv_nsec);
  for (n = (int) strlen (frac); n > 1 && frac[n - 1] == '0'; n--)
    frac[n - 1] = '\0';
  if (n == 1)
    frac[0] = '\0';

  pos = (size_t) snprintf (line, sizeof line, "{\"ID\":");
  put_string (line, sizeof line, &pos, id);
  pos += (size_t) snprintf (line + pos, sizeof line - pos, ",\"Image\":");
  put_string (line, sizeof line, &pos, image ? image : "");
  pos += (size_t) snprintf (line + pos, sizeof line - pos, ",\"Name\":");
  put_string (line, sizeof line, &pos, name ? name : "");
  pos += (size_t) snprintf (line + pos, sizeof line - pos, ",\"Status\":");
  put_string (line, sizeof line, &pos, status);
  pos += (size_t) snprintf (line + pos, sizeof line - pos, ",\"Time\":\"%s%sZ\",\"Type\":", stamp,
                            frac);
  put_string (line, sizeof line, &pos, type);
  if (exit_code >= 0 && pos + 40 < sizeof line)
    pos += (size_t) snprintf (line + pos, sizeof line - pos, ",\"ContainerExitCode\":%d", exit_code);
  if (pos + 3 >= sizeof line)
    return;
  line[pos++] = '}';
  line[pos++] = '\n';
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0)
    (void) fd_write_all (fd, line, pos);
}
