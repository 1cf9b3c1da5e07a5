/* SPDX-License-Identifier: Apache-2.0 */
/* The supervisor's log drivers; see ctr-log.h. */
#include "supervisor/ctr-log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "systemd/sdwire.h"

int
ctr_log_open (CtrLog *l, const char *log, const char *id, const char *name, const char *tag)
{
  memset (l, 0, sizeof *l);
  l->fd = -1;
  if (!log)
    return 0;
  if (strcmp (log, "journald") != 0)
    {
      struct stat st;
      l->fd = open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (l->fd < 0)
        return -errno;
      l->driver = CTR_LOG_K8S_FILE;
      l->size = fstat (l->fd, &st) == 0 ? st.st_size : 0;
      return 0;
    }
  if (!id || strlen (id) < 12)
    return -EINVAL;
  l->driver = CTR_LOG_JOURNALD;
  /* As conmon: the tag (by default the short id) is CONTAINER_TAG;
   * SYSLOG_IDENTIFIER is an explicit tag, else the name, else the short id. */
  snprintf (l->f_id, sizeof l->f_id, "CONTAINER_ID=%.12s", id);
  snprintf (l->f_id_full, sizeof l->f_id_full, "CONTAINER_ID_FULL=%s", id);
  if (name && *name)
    snprintf (l->f_name, sizeof l->f_name, "CONTAINER_NAME=%s", name);
  if (tag && *tag)
    snprintf (l->f_tag, sizeof l->f_tag, "CONTAINER_TAG=%s", tag);
  else
    snprintf (l->f_tag, sizeof l->f_tag, "CONTAINER_TAG=%.12s", id);
  snprintf (l->f_ident, sizeof l->f_ident, "SYSLOG_IDENTIFIER=%.280s",
            tag && *tag ? tag : name && *name ? name : l->f_id + 13);
  l->fd = sdwire_journal_open ();
  return l->fd < 0 ? l->fd : 0;
}

void
ctr_log_close (CtrLog *l)
{
  if (l->fd >= 0)
    close (l->fd);
  l->fd = -1;
  l->driver = CTR_LOG_NONE;
}

void
ctr_log_timestamp (char *out, size_t n, long long sec, long nsec)
{
  time_t t = (time_t) sec;
  struct tm tm;
  char date[40], zone[8];
  localtime_r (&t, &tm);
  strftime (date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  strftime (zone, sizeof zone, "%z", &tm); /* +0100 -> +01:00 */
  snprintf (out, n, "%s.%09ld%.3s:%.2s", date, nsec, zone, zone + 3);
}

static int
emit_journal (CtrLog *l, CtrStream stream, const char *text, size_t len, int partial)
{
  static char msg[CTR_LOG_LINE_MAX + 8];
  struct iovec f[8];
  int n = 0;
#define FIELD(s) f[n++] = (struct iovec){ (void *) (s), strlen (s) }
  memcpy (msg, "MESSAGE=", 8);
  memcpy (msg + 8, text, len);
  f[n++] = (struct iovec){ msg, len + 8 };
  FIELD (stream == CTR_STDERR ? "PRIORITY=3" : "PRIORITY=6");
  FIELD (l->f_id);
  FIELD (l->f_id_full);
  if (l->f_name[0])
    FIELD (l->f_name);
  FIELD (l->f_tag);
  FIELD (l->f_ident);
  if (partial)
    FIELD ("CONTAINER_PARTIAL_MESSAGE=true");
#undef FIELD
  return sdwire_journal_send (l->fd, l->journal_socket, f, n);
}

/* One k8s-file record, "TIMESTAMP STREAM F|P TEXT\n", in one writev:
 * O_APPEND keeps records whole for readers. */
static int
emit_k8s (CtrLog *l, CtrStream stream, const char *text, size_t len, int partial)
{
  struct timespec ts;
  char stamp[64], head[96];
  struct iovec iov[3];
  ssize_t r;
  int h;

  clock_gettime (CLOCK_REALTIME, &ts);
  ctr_log_timestamp (stamp, sizeof stamp, ts.tv_sec, ts.tv_nsec);
  h = snprintf (head, sizeof head, "%s %s %c ", stamp, stream == CTR_STDERR ? "stderr" : "stdout",
                partial ? 'P' : 'F');
  iov[0] = (struct iovec){ head, (size_t) h };
  iov[1] = (struct iovec){ (void *) text, len };
  iov[2] = (struct iovec){ "\n", 1 };
  /* As conmon: the log starts over when this record would pass the limit
   * (O_APPEND writes at the new end, 0). */
  if (l->size_max > 0 && l->size + (long long) (h + len + 1) > l->size_max
      && ftruncate (l->fd, 0) == 0)
    l->size = 0;
  do
    r = writev (l->fd, iov, 3);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -errno;
  l->size += r;
  return (size_t) r == h + len + 1 ? 0 : -EIO;
}

static int
emit (CtrLog *l, CtrStream stream, const char *text, size_t len, int partial)
{
  if (l->driver == CTR_LOG_JOURNALD)
    return emit_journal (l, stream, text, len, partial);
  return emit_k8s (l, stream, text, len, partial);
}

int
ctr_log_write (CtrLog *l, CtrStream stream, const char *buf, size_t len)
{
  char *line = l->line[stream].buf;
  size_t *held = &l->line[stream].len;
  int r = 0;

  if (l->driver == CTR_LOG_NONE)
    return 0;
  while (len > 0)
    {
      const char *nl = memchr (buf, '\n', len);
      size_t take = nl ? (size_t) (nl - buf) : len;

      if (*held + take < CTR_LOG_LINE_MAX)
        {
          memcpy (line + *held, buf, take);
          *held += take;
          if (!nl)
            return r; /* hold the start of a line for its end */
          r = r ? r : emit (l, stream, line, *held, 0);
          *held = 0;
          buf += take + 1;
          len -= take + 1;
          continue;
        }
      /* The line goes on past CTR_LOG_LINE_MAX: a full piece goes out;
       * one ending right at the newline is the line's last. */
      take = CTR_LOG_LINE_MAX - *held;
      memcpy (line + *held, buf, take);
      *held = 0;
      buf += take;
      len -= take;
      if (len > 0 && buf[0] == '\n')
        {
          r = r ? r : emit (l, stream, line, CTR_LOG_LINE_MAX, 0);
          buf++;
          len--;
        }
      else
        r = r ? r : emit (l, stream, line, CTR_LOG_LINE_MAX, 1);
    }
  return r;
}

/* What @stream holds goes out as a partial record. */
static int
flush_stream (CtrLog *l, CtrStream stream)
{
  size_t len = l->line[stream].len;
  if (l->driver == CTR_LOG_NONE || len == 0)
    return 0;
  l->line[stream].len = 0;
  return emit (l, stream, l->line[stream].buf, len, 1);
}

int
ctr_log_flush (CtrLog *l)
{
  int r = flush_stream (l, CTR_STDOUT);
  int r2 = flush_stream (l, CTR_STDERR);
  return r ? r : r2;
}

int
ctr_log_pump (CtrLog *l, CtrStream stream, int fd)
{
  static char buf[CTR_LOG_LINE_MAX];
  ssize_t n = read (fd, buf, sizeof buf);
  if (n < 0)
    return errno == EINTR || errno == EAGAIN;
  if (n == 0)
    {
      /* Only this stream's held line: the other may still be open. */
      (void) flush_stream (l, stream);
      return 0;
    }
  (void) ctr_log_write (l, stream, buf, n);
  return 1;
}
