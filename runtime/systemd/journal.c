/* SPDX-License-Identifier: Apache-2.0 */
/* Log drivers and reading logs back; see journal.h for the formats (the
 * supervisor writes them: supervisor/ctr-log.c). */
#include "systemd/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "systemd/duration.h"
#include "error.h"
#include "fdio.h"
#include "supervisor/ctr-log.h"

gboolean
log_driver_from_string (const char *s, LogDriver *driver, GError **error)
{
  static const struct { const char *name; LogDriver driver; } drivers[] = {
    { "journald", LOG_DRIVER_JOURNALD },       { "k8s-file", LOG_DRIVER_K8S_FILE },
    { "json-file", LOG_DRIVER_K8S_FILE },      { "passthrough", LOG_DRIVER_PASSTHROUGH },
    { "passthrough-tty", LOG_DRIVER_PASSTHROUGH }, { "none", LOG_DRIVER_NONE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (drivers); i++)
    if (g_strcmp0 (s, drivers[i].name) == 0)
      {
        *driver = drivers[i].driver;
        return TRUE;
      }
  /* podman's words, which its tests compare */
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "running container create option: invalid log driver: invalid argument");
  return FALSE;
}

const char *
log_driver_to_string (LogDriver driver)
{
  switch (driver)
    {
    case LOG_DRIVER_JOURNALD: return "journald";
    case LOG_DRIVER_K8S_FILE: return "k8s-file";
    case LOG_DRIVER_PASSTHROUGH: return "passthrough";
    case LOG_DRIVER_NONE: return "none";
    }
  return "none";
}

LogDriver
log_driver_default (const char *journal_socket)
{
  return access (journal_socket ? journal_socket : LOG_JOURNAL_SOCKET, F_OK) == 0
             ? LOG_DRIVER_JOURNALD
             : LOG_DRIVER_K8S_FILE;
}

char *
log_format_timestamp (gint64 time_usec)
{
  char buf[64];
  ctr_log_timestamp (buf, sizeof buf, time_usec / G_USEC_PER_SEC,
                     (long) (time_usec % G_USEC_PER_SEC) * 1000);
  return g_strdup (buf);
}

void
log_entry_clear (LogEntry *e)
{
  g_clear_pointer (&e->message, g_free);
}

static gboolean
parse_time (const char *s, gint64 *time_usec)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (s, NULL);
  if (!dt)
    return FALSE;
  *time_usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

gboolean
log_k8s_parse_line (const char *line, LogEntry *e, GError **error)
{
  const char *sp1 = strchr (line, ' ');
  const char *sp2 = sp1 ? strchr (sp1 + 1, ' ') : NULL;
  g_autofree char *stamp = sp1 ? g_strndup (line, sp1 - line) : NULL;

  memset (e, 0, sizeof *e);
  if (!sp2 || !parse_time (stamp, &e->time_usec) || !(sp2[1] == 'F' || sp2[1] == 'P')
      || (sp2[2] != ' ' && sp2[2] != '\0'))
    goto bad;
  if (strncmp (sp1 + 1, "stdout ", 7) == 0)
    e->stream = LOG_STREAM_STDOUT;
  else if (strncmp (sp1 + 1, "stderr ", 7) == 0)
    e->stream = LOG_STREAM_STDERR;
  else
    goto bad;
  e->partial = sp2[1] == 'P';
  e->message = g_strdup (sp2[2] ? sp2 + 3 : "");
  return TRUE;
bad:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a k8s-file log record: \"%.60s\"",
               line);
  return FALSE;
}

gboolean
log_parse_time (const char *s, gboolean until, gint64 now_usec, gint64 *time_usec,
                GError **error)
{
  gint64 d;
  char *end = NULL;
  double secs;
  g_autofree char *day = NULL;

  if (parse_time (s, time_usec))
    return TRUE;
  /* A date or a time without zone: local time, as podman. */
  if (strlen (s) == 10 && s[4] == '-' && s[7] == '-')
    day = g_strconcat (s, "T00:00:00", NULL);
  if (day || strchr (s, 'T'))
    {
      g_autoptr (GTimeZone) local = g_time_zone_new_local ();
      g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (day ? day : s, local);
      if (dt)
        {
          *time_usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
          return TRUE;
        }
    }
  secs = g_ascii_strtod (s, &end);
  if (end != s && *end == '\0' && secs >= 0)
    {
      *time_usec = (gint64) (secs * G_USEC_PER_SEC);
      return TRUE;
    }
  if (duration_parse (s[0] == '-' ? s + 1 : s, &d, NULL))
    {
      d = s[0] == '-' ? -d : d;
      *time_usec = until ? now_usec + d : now_usec - d;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "invalid --%s \"%s\": want a time (RFC 3339), Unix seconds or a duration",
               until ? "until" : "since", s);
  return FALSE;
}

static void
entry_free (gpointer p)
{
  LogEntry *e = p;
  log_entry_clear (e);
  g_free (e);
}

/* Index of the first entry of the last @tail lines of the first @end
 * entries (pieces join a line). */
static guint
tail_start (GPtrArray *entries, guint end, gint tail)
{
  guint i = end;
  if (tail < 0)
    return 0;
  while (i > 0 && tail > 0)
    {
      i--;
      /* i starts a line when the entry before it ended one. */
      if (i == 0 || !((LogEntry *) entries->pdata[i - 1])->partial)
        tail--;
    }
  return tail > 0 ? 0 : i;
}

/* Delivers @entries after the since/until/tail selection; FALSE when
 * @func stopped. */
static gboolean
deliver (GPtrArray *entries, const LogReadOptions *o, LogEntryFunc func, gpointer data)
{
  guint end = 0;
  while (end < entries->len
         && (o->until_usec == 0 || ((LogEntry *) entries->pdata[end])->time_usec <= o->until_usec))
    end++;
  for (guint i = tail_start (entries, end, o->tail); i < end; i++)
    if (!func (entries->pdata[i], data))
      return FALSE;
  return TRUE;
}

/* With follow: whether --until's time has come. */
static gboolean
past_until (const LogReadOptions *o)
{
  return o->until_usec > 0 && g_get_real_time () >= o->until_usec;
}

/* poll's timeout while following: until --until's time, else none. */
static int
until_timeout (const LogReadOptions *o)
{
  gint64 left;
  if (o->until_usec <= 0)
    return -1;
  left = o->until_usec - g_get_real_time ();
  return left <= 0 ? 0 : (int) MIN (left / 1000 + 1, G_MAXINT);
}

/* Parses the complete lines of @text (records since @since) into @into
 * and leaves a trailing incomplete one in @text. */
static void
parse_records (GString *text, GPtrArray *into, gint64 since)
{
  gsize start = 0;
  for (gsize i = 0; i < text->len; i++)
    if (text->str[i] == '\n')
      {
        LogEntry e;
        text->str[i] = '\0';
        if (log_k8s_parse_line (text->str + start, &e, NULL) && e.time_usec >= since)
          g_ptr_array_add (into, g_memdup2 (&e, sizeof e));
        else
          log_entry_clear (&e);
        start = i + 1;
      }
  g_string_erase (text, 0, start);
}

gboolean
log_read_k8s_file (const char *path, const LogReadOptions *o, LogEntryFunc func, gpointer data,
                   GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  LogReadOptions cur = *o;
  char buf[65536];
  autofd int fd = open (path, O_RDONLY | O_CLOEXEC);
  autofd int ifd = -1;
  ssize_t n;

  if (fd < 0)
    return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno, "open %s",
                        path);
  /* -f waits for the file to grow or the container's state to change
   * (watched before the first read: no change is missed). */
  if (o->follow)
    {
      ifd = inotify_init1 (IN_CLOEXEC);
      if (ifd < 0 || inotify_add_watch (ifd, path, IN_MODIFY) < 0
          || (o->watch_dir && inotify_add_watch (ifd, o->watch_dir, IN_MOVED_TO | IN_CREATE) < 0))
        return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno,
                            "watching %s", path);
    }
  for (;;)
    {
      /* Decided before reading, so the read after the container's exit
       * still catches its last output. */
      gboolean last = !cur.follow || past_until (&cur)
                      || (cur.keep_following && !cur.keep_following (cur.data));
      while ((n = read (fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
          g_string_append_len (text, buf, n);
      if (n < 0)
        return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno,
                            "read %s", path);
      parse_records (text, entries, cur.since_usec);
      if (!deliver (entries, &cur, func, data) || last)
        break;
      g_ptr_array_set_size (entries, 0);
      cur.tail = -1; /* only the first batch is cut to the tail */
      {
        struct pollfd pfd = { .fd = ifd, .events = POLLIN };
        char events[4096];
        if (poll (&pfd, 1, until_timeout (&cur)) > 0)
          (void) !read (ifd, events, sizeof events);
      }
    }
  return TRUE;
}

static gboolean
journal_field (sd_journal *j, const char *field, char **value)
{
  const void *d;
  size_t len, flen = strlen (field);
  if (sd_journal_get_data (j, field, &d, &len) < 0 || len <= flen)
    return FALSE;
  *value = g_strndup ((const char *) d + flen + 1, len - flen - 1);
  return TRUE;
}

static gboolean
journal_collect (sd_journal *j, GPtrArray *into)
{
  int r;
  while ((r = sd_journal_next (j)) > 0)
    {
      LogEntry *e = g_new0 (LogEntry, 1);
      g_autofree char *prio = NULL, *partial = NULL;
      uint64_t usec = 0;
      sd_journal_get_realtime_usec (j, &usec);
      e->time_usec = (gint64) usec;
      if (!journal_field (j, "MESSAGE", &e->message))
        e->message = g_strdup ("");
      e->stream = journal_field (j, "PRIORITY", &prio) && g_str_equal (prio, "3")
                      ? LOG_STREAM_STDERR
                      : LOG_STREAM_STDOUT;
      e->partial = journal_field (j, "CONTAINER_PARTIAL_MESSAGE", &partial)
                   && g_str_equal (partial, "true");
      g_ptr_array_add (into, e);
    }
  return r >= 0;
}

gboolean
log_read_journal (const char *id, const LogReadOptions *o, LogEntryFunc func, gpointer data,
                  GError **error)
{
  sd_journal *j = NULL;
  g_autofree char *match = g_strdup_printf ("CONTAINER_ID_FULL=%s", id);
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  int r;

  r = sd_journal_open (&j, SD_JOURNAL_LOCAL_ONLY);
  if (r < 0)
    {
      return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (-r), -r,
                          "open the journal");
    }
  if ((r = sd_journal_add_match (j, match, 0)) < 0
      || (o->since_usec > 0 && (r = sd_journal_seek_realtime_usec (j, o->since_usec)) < 0))
    {
      errno_error (error, G_FILE_ERROR, g_file_error_from_errno (-r), -r, "journal match %s", id);
      sd_journal_close (j);
      return FALSE;
    }
  LogReadOptions cur = *o;
  for (;;)
    {
      gboolean last = !cur.follow || past_until (&cur)
                      || (cur.keep_following && !cur.keep_following (cur.data));
      journal_collect (j, entries);
      if (!deliver (entries, &cur, func, data) || last)
        break;
      g_ptr_array_set_size (entries, 0);
      cur.tail = -1;
      sd_journal_wait (j, 250000);
    }
  sd_journal_close (j);
  return TRUE;
}

void
log_print_entry (GString *out, const LogEntry *e, gboolean timestamps, gboolean *at_line_start)
{
  if (timestamps && *at_line_start)
    {
      g_autofree char *stamp = log_format_timestamp (e->time_usec);
      g_string_append_printf (out, "%s ", stamp);
    }
  g_string_append (out, e->message);
  if (!e->partial)
    g_string_append_c (out, '\n');
  *at_line_start = !e->partial;
}
