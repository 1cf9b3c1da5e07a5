/* SPDX-License-Identifier: Apache-2.0 */
/* Log drivers and reading logs back; see journal.h for the formats. */
#include "systemd/journal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "systemd/duration.h"
#include "systemd/sdwire.h"

/* A line being assembled from the reads of one stream. */
typedef struct
{
  char buf[LOG_LINE_MAX];
  gsize len;
} LineBuffer;

struct _LogWriter
{
  LogDriver driver;
  int fd; /* k8s-file */
  char *path;
  LineBuffer out, err;
  /* journald fields that do not change, "KEY=value" */
  char *f_id_full, *f_id, *f_name, *f_tag, *f_ident;
  LogJournalSink sink;
  gpointer sink_data;
  int journal_fd;
  char *journal_socket; /* NULL: the system's */
};

gboolean
log_driver_from_string (const char *s, LogDriver *driver, GError **error)
{
  static const struct { const char *name; LogDriver driver; } drivers[] = {
    { "journald", LOG_DRIVER_JOURNALD },       { "k8s-file", LOG_DRIVER_K8S_FILE },
    { "json-file", LOG_DRIVER_K8S_FILE },      { "passthrough", LOG_DRIVER_PASSTHROUGH },
    { "none", LOG_DRIVER_NONE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (drivers); i++)
    if (g_strcmp0 (s, drivers[i].name) == 0)
      {
        *driver = drivers[i].driver;
        return TRUE;
      }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "invalid --log-driver \"%s\": must be journald, k8s-file, passthrough or none",
               s ? s : "");
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

gboolean
log_driver_uses_pipes (LogDriver driver)
{
  return driver != LOG_DRIVER_PASSTHROUGH;
}

/* The default sink: journald's native protocol (sdwire.c, what
 * sd_journal_sendv sends), over a socket the writer keeps. */
static int
journal_native (const struct iovec *iov, int n, gpointer data)
{
  LogWriter *w = data;
  if (w->journal_fd < 0)
    w->journal_fd = sdwire_journal_open ();
  if (w->journal_fd < 0)
    return w->journal_fd;
  return sdwire_journal_send (w->journal_fd, w->journal_socket, iov, n);
}

LogWriter *
log_writer_new (LogDriver driver, const LogIdentity *id, const char *path, GError **error)
{
  g_autoptr (LogWriter) w = g_new0 (LogWriter, 1);
  w->driver = driver;
  w->fd = -1;
  w->journal_fd = -1;
  w->sink = journal_native;
  w->sink_data = w;

  if (driver == LOG_DRIVER_K8S_FILE)
    {
      w->path = g_strdup (path);
      w->fd = path ? open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;
      if (w->fd < 0)
        {
          int e = path ? errno : EINVAL;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "open log file %s: %s",
                       path ? path : "(none)", g_strerror (e));
          return NULL;
        }
    }
  else if (driver == LOG_DRIVER_JOURNALD)
    {
      if (!id->id || strlen (id->id) < 12)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "journald log driver: container id \"%s\" too short",
                       id->id ? id->id : "");
          return NULL;
        }
      w->f_id_full = g_strdup_printf ("CONTAINER_ID_FULL=%s", id->id);
      w->f_id = g_strdup_printf ("CONTAINER_ID=%.12s", id->id);
      if (id->name)
        w->f_name = g_strdup_printf ("CONTAINER_NAME=%s", id->name);
      /* The tag defaults to the short id (containers.conf's log_tag, as
       * docker); SYSLOG_IDENTIFIER follows conmon: an explicit tag, else
       * the name. */
      w->f_tag = id->tag ? g_strdup_printf ("CONTAINER_TAG=%s", id->tag)
                         : g_strdup_printf ("CONTAINER_TAG=%.12s", id->id);
      w->f_ident = id->tag    ? g_strdup_printf ("SYSLOG_IDENTIFIER=%s", id->tag)
                   : id->name ? g_strdup_printf ("SYSLOG_IDENTIFIER=%s", id->name)
                              : g_strdup_printf ("SYSLOG_IDENTIFIER=%.12s", id->id);
    }
  return g_steal_pointer (&w);
}

void
log_writer_free (LogWriter *w)
{
  if (!w)
    return;
  if (w->fd >= 0)
    close (w->fd);
  if (w->journal_fd >= 0)
    close (w->journal_fd);
  g_free (w->journal_socket);
  g_free (w->path);
  g_free (w->f_id_full);
  g_free (w->f_id);
  g_free (w->f_name);
  g_free (w->f_tag);
  g_free (w->f_ident);
  g_free (w);
}

void
log_writer_set_journal_sink (LogWriter *w, LogJournalSink sink, gpointer data)
{
  w->sink = sink;
  w->sink_data = data;
}

void
log_writer_set_journal_socket (LogWriter *w, const char *path)
{
  g_free (w->journal_socket);
  w->journal_socket = g_strdup (path);
}

static void
set_error_errno (GError **error, int e, const char *what, const char *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s %s: %s", what,
               path ? path : "", g_strerror (e));
}

static gboolean
emit_journal (LogWriter *w, LogStream stream, const char *text, gsize len, gboolean partial,
              GError **error)
{
  struct iovec iov[8];
  int n = 0, r;
  g_autofree char *message = g_malloc (len + 8);

  memcpy (message, "MESSAGE=", 8);
  memcpy (message + 8, text, len);
#define FIELD(s) iov[n++] = (struct iovec){ (void *) (s), strlen (s) }
  iov[n++] = (struct iovec){ message, len + 8 };
  FIELD (stream == LOG_STREAM_STDERR ? "PRIORITY=3" : "PRIORITY=6");
  FIELD (w->f_id);
  FIELD (w->f_id_full);
  if (w->f_name)
    FIELD (w->f_name);
  FIELD (w->f_tag);
  FIELD (w->f_ident);
  if (partial)
    FIELD ("CONTAINER_PARTIAL_MESSAGE=true");
#undef FIELD
  r = w->sink (iov, n, w->sink_data);
  if (r < 0)
    {
      set_error_errno (error, -r, "sd_journal_send", "");
      return FALSE;
    }
  return TRUE;
}

static void
format_timestamp (char *buf, gsize size, gint64 time_usec, long nsec)
{
  time_t secs = (time_t) (time_usec / G_USEC_PER_SEC);
  struct tm tm;
  char date[32], zone[8];

  localtime_r (&secs, &tm);
  strftime (date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  strftime (zone, sizeof zone, "%z", &tm); /* +0100 -> +01:00 */
  g_snprintf (buf, size, "%s.%09ld%.3s:%.2s", date, nsec, zone, zone + 3);
}

char *
log_format_timestamp (gint64 time_usec)
{
  char buf[64];
  format_timestamp (buf, sizeof buf, time_usec, (long) (time_usec % G_USEC_PER_SEC) * 1000);
  return g_strdup (buf);
}

static gboolean
emit_k8s (LogWriter *w, LogStream stream, const char *text, gsize len, gboolean partial,
          GError **error)
{
  struct timespec ts;
  char stamp[64];
  struct iovec iov[3];
  g_autofree char *head = NULL;
  gsize total;
  ssize_t r;

  clock_gettime (CLOCK_REALTIME, &ts);
  format_timestamp (stamp, sizeof stamp, (gint64) ts.tv_sec * G_USEC_PER_SEC, ts.tv_nsec);
  head = g_strdup_printf ("%s %s %c ", stamp, stream == LOG_STREAM_STDERR ? "stderr" : "stdout",
                          partial ? 'P' : 'F');
  iov[0] = (struct iovec){ head, strlen (head) };
  iov[1] = (struct iovec){ (void *) text, len };
  iov[2] = (struct iovec){ "\n", 1 };
  total = iov[0].iov_len + len + 1;
  /* One writev per record: O_APPEND keeps records whole for readers. */
  do
    r = writev (w->fd, iov, 3);
  while (r < 0 && errno == EINTR);
  if (r < 0 || (gsize) r != total)
    {
      set_error_errno (error, r < 0 ? errno : EIO, "write", w->path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
emit (LogWriter *w, LogStream stream, const char *text, gsize len, gboolean partial,
      GError **error)
{
  if (w->driver == LOG_DRIVER_JOURNALD)
    return emit_journal (w, stream, text, len, partial, error);
  return emit_k8s (w, stream, text, len, partial, error);
}

gboolean
log_writer_write (LogWriter *w, LogStream stream, const char *buf, gsize len, GError **error)
{
  LineBuffer *lb = stream == LOG_STREAM_STDERR ? &w->err : &w->out;

  if (w->driver != LOG_DRIVER_JOURNALD && w->driver != LOG_DRIVER_K8S_FILE)
    return TRUE;
  while (len > 0)
    {
      const char *nl = memchr (buf, '\n', len);
      gsize take = nl ? (gsize) (nl - buf) : len;

      if (lb->len + take < LOG_LINE_MAX)
        {
          memcpy (lb->buf + lb->len, buf, take);
          lb->len += take;
          if (!nl)
            return TRUE; /* hold the start of a line for its end */
          if (!emit (w, stream, lb->buf, lb->len, FALSE, error))
            return FALSE;
          lb->len = 0;
          buf += take + 1;
          len -= take + 1;
          continue;
        }
      /* The line goes on past LOG_LINE_MAX: a full piece goes out. */
      take = LOG_LINE_MAX - lb->len;
      memcpy (lb->buf + lb->len, buf, take);
      lb->len = 0;
      buf += take;
      len -= take;
      /* A piece ending right at the newline is the line's last. */
      if (len > 0 && buf[0] == '\n')
        {
          if (!emit (w, stream, lb->buf, LOG_LINE_MAX, FALSE, error))
            return FALSE;
          buf++;
          len--;
        }
      else if (!emit (w, stream, lb->buf, LOG_LINE_MAX, TRUE, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
log_writer_flush (LogWriter *w, GError **error)
{
  LineBuffer *bufs[] = { &w->out, &w->err };
  if (w->driver != LOG_DRIVER_JOURNALD && w->driver != LOG_DRIVER_K8S_FILE)
    return TRUE;
  for (int i = 0; i < 2; i++)
    if (bufs[i]->len)
      {
        gsize len = bufs[i]->len;
        bufs[i]->len = 0;
        if (!emit (w, i ? LOG_STREAM_STDERR : LOG_STREAM_STDOUT, bufs[i]->buf, len, TRUE, error))
          return FALSE;
      }
  if (w->fd >= 0 && fdatasync (w->fd) < 0 && errno != EINVAL)
    {
      set_error_errno (error, errno, "fsync", w->path);
      return FALSE;
    }
  return TRUE;
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
log_parse_since (const char *s, gint64 now_usec, gint64 *time_usec, GError **error)
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
  if (duration_parse (s, &d, NULL) && d >= 0)
    {
      *time_usec = now_usec - d;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "invalid --since \"%s\": want a time (RFC 3339), Unix seconds or a duration", s);
  return FALSE;
}

static void
entry_free (gpointer p)
{
  LogEntry *e = p;
  log_entry_clear (e);
  g_free (e);
}

/* Index of the first entry of the last @tail lines (pieces join a line). */
static guint
tail_start (GPtrArray *entries, gint tail)
{
  guint i = entries->len;
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

/* Delivers @entries after the since/tail selection; FALSE when @func
 * stopped. */
static gboolean
deliver (GPtrArray *entries, const LogReadOptions *o, LogEntryFunc func, gpointer data)
{
  for (guint i = tail_start (entries, o->tail); i < entries->len; i++)
    if (!func (entries->pdata[i], data))
      return FALSE;
  return TRUE;
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
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    {
      set_error_errno (error, errno, "open", path);
      return FALSE;
    }
  for (;;)
    {
      /* Decided before reading, so the read after the container's exit
       * still catches its last output. */
      gboolean last = !cur.follow || (cur.keep_following && !cur.keep_following (cur.data));
      while ((n = read (fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
          g_string_append_len (text, buf, n);
      if (n < 0)
        {
          set_error_errno (error, errno, "read", path);
          close (fd);
          return FALSE;
        }
      parse_records (text, entries, cur.since_usec);
      if (!deliver (entries, &cur, func, data) || last)
        break;
      g_ptr_array_set_size (entries, 0);
      cur.tail = -1; /* only the first batch is cut to the tail */
      g_usleep (100000);
    }
  close (fd);
  return TRUE;
}

/* libsystemd is not linked: only `logs` of a journald container reads the
 * journal, and loading it with the compression and crypto libraries behind
 * it (bind-now relocations) cost every podunit start about a millisecond. */
#define LIBSYSTEMD_SONAME "libsystemd.so.0"
static struct
{
  int (*open) (sd_journal **, int);
  void (*close) (sd_journal *);
  int (*add_match) (sd_journal *, const void *, size_t);
  int (*seek_realtime_usec) (sd_journal *, uint64_t);
  int (*next) (sd_journal *);
  int (*get_realtime_usec) (sd_journal *, uint64_t *);
  int (*get_data) (sd_journal *, const char *, const void **, size_t *);
  int (*wait) (sd_journal *, uint64_t);
} sdj;

static gboolean
sdj_load (GError **error)
{
  static void *lib;
  if (lib)
    return TRUE;
  void *l = dlopen (LIBSYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (l == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot read the journal: %s",
                   dlerror ());
      return FALSE;
    }
#define SYM(field, name)                                                                     \
  if ((*(void **) &sdj.field = dlsym (l, name)) == NULL)                                     \
    {                                                                                        \
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: no %s", LIBSYSTEMD_SONAME, \
                   name);                                                                    \
      return FALSE;                                                                          \
    }
  SYM (open, "sd_journal_open")
  SYM (close, "sd_journal_close")
  SYM (add_match, "sd_journal_add_match")
  SYM (seek_realtime_usec, "sd_journal_seek_realtime_usec")
  SYM (next, "sd_journal_next")
  SYM (get_realtime_usec, "sd_journal_get_realtime_usec")
  SYM (get_data, "sd_journal_get_data")
  SYM (wait, "sd_journal_wait")
#undef SYM
  lib = l;
  return TRUE;
}

static gboolean
journal_field (sd_journal *j, const char *field, char **value)
{
  const void *d;
  size_t len, flen = strlen (field);
  if (sdj.get_data (j, field, &d, &len) < 0 || len <= flen)
    return FALSE;
  *value = g_strndup ((const char *) d + flen + 1, len - flen - 1);
  return TRUE;
}

static gboolean
journal_collect (sd_journal *j, GPtrArray *into)
{
  int r;
  while ((r = sdj.next (j)) > 0)
    {
      LogEntry *e = g_new0 (LogEntry, 1);
      g_autofree char *prio = NULL, *partial = NULL;
      uint64_t usec = 0;
      sdj.get_realtime_usec (j, &usec);
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

  if (!sdj_load (error))
    return FALSE;
  r = sdj.open (&j, SD_JOURNAL_LOCAL_ONLY);
  if (r < 0)
    {
      set_error_errno (error, -r, "open the journal", "");
      return FALSE;
    }
  if ((r = sdj.add_match (j, match, 0)) < 0
      || (o->since_usec > 0 && (r = sdj.seek_realtime_usec (j, o->since_usec)) < 0))
    {
      set_error_errno (error, -r, "journal match", id);
      sdj.close (j);
      return FALSE;
    }
  LogReadOptions cur = *o;
  for (;;)
    {
      gboolean last = !cur.follow || (cur.keep_following && !cur.keep_following (cur.data));
      journal_collect (j, entries);
      if (!deliver (entries, &cur, func, data) || last)
        break;
      g_ptr_array_set_size (entries, 0);
      cur.tail = -1;
      sdj.wait (j, 250000);
    }
  sdj.close (j);
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
