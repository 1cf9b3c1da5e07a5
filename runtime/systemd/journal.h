/* SPDX-License-Identifier: Apache-2.0 */
/* Container output: the log drivers (podman's --log-driver) and reading the
 * logs back for `podunit logs`. The supervisor writes them
 * (supervisor/ctr-log.h).
 *
 *   journald     one journal entry per line: MESSAGE, PRIORITY (6 stdout,
 *                3 stderr), CONTAINER_ID (12 chars), CONTAINER_ID_FULL,
 *                CONTAINER_NAME, CONTAINER_TAG (--log-opt tag=, by default
 *                the short id as containers.conf documents) and
 *                SYSLOG_IDENTIFIER (an explicit tag, else the name, else
 *                the short id, as conmon). A line without its newline yet is held
 *                until it has 8 KiB; longer ones go out in 8 KiB pieces
 *                flagged CONTAINER_PARTIAL_MESSAGE=true, the last piece
 *                without the flag (docker's and conmon's convention).
 *   k8s-file     podman's file format, one record per line or piece:
 *                "2024-01-01T00:00:00.000000000+00:00 stdout F text" (P for
 *                a piece of a longer line).
 *   passthrough  the container writes to the supervisor's own stdout and
 *                stderr (under systemd: the service's journal stream).
 *   none         discarded.
 *
 * The default (log_driver_default): journald when journald runs on this
 * system (its socket exists), else k8s-file. That is podman's rule ("journald
 * when the system has it"), and it makes journald the default under systemd,
 * where Quadlet's services run. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LOG_JOURNAL_SOCKET "/run/systemd/journal/socket"

typedef enum
{
  LOG_DRIVER_JOURNALD,
  LOG_DRIVER_K8S_FILE,
  LOG_DRIVER_PASSTHROUGH,
  LOG_DRIVER_NONE,
} LogDriver;

typedef enum
{
  LOG_STREAM_STDOUT = 1,
  LOG_STREAM_STDERR = 2,
} LogStream;

/* "journald", "k8s-file" (and its alias "json-file"), "passthrough",
 * "none". */
gboolean log_driver_from_string (const char *s, LogDriver *driver, GError **error);
const char *log_driver_to_string (LogDriver driver);
/* The default for a system whose journal socket is at @journal_socket
 * (LOG_JOURNAL_SOCKET). */
LogDriver log_driver_default (const char *journal_socket);
/* Reading back. */
typedef struct
{
  gint64 time_usec; /* wall clock */
  LogStream stream;
  gboolean partial; /* a piece; the line goes on in the next entry */
  char *message;    /* without the newline */
} LogEntry;

void log_entry_clear (LogEntry *e);

/* One record of a k8s-file. */
gboolean log_k8s_parse_line (const char *line, LogEntry *entry, GError **error);
/* "2024-01-01T00:00:00.000000000+00:00" (local time, as podman writes). */
char *log_format_timestamp (gint64 time_usec);

/* `logs --since` and `--until` (@until): an RFC 3339 time, a date, Unix
 * seconds, or a duration before @now_usec for --since ("10m"), after it
 * for --until, as podman (a negative one the other way: "-1s"). */
gboolean log_parse_time (const char *s, gboolean until, gint64 now_usec, gint64 *time_usec,
                         GError **error);

typedef struct
{
  gint64 since_usec; /* 0: from the start */
  gint64 until_usec; /* 0: to the end; with follow, following ends then */
  gint tail;         /* last N lines; -1: all */
  gboolean follow;
  /* With follow: called between waits; FALSE ends following (the
   * container exited). */
  gboolean (*keep_following) (gpointer data);
  gpointer data;
  /* With follow on a k8s-file: a directory whose changes (the container's
   * state replaced at its exit) wake the wait besides the file growing. */
  const char *watch_dir;
} LogReadOptions;

/* Called per entry in order; return FALSE to stop. */
typedef gboolean (*LogEntryFunc) (const LogEntry *entry, gpointer data);

gboolean log_read_k8s_file (const char *path, const LogReadOptions *opts, LogEntryFunc func,
                            gpointer data, GError **error);
/* The journal's entries with CONTAINER_ID_FULL=@id. */
gboolean log_read_journal (const char *id, const LogReadOptions *opts, LogEntryFunc func,
                           gpointer data, GError **error);

/* How `podunit logs` prints entries: pieces are joined, -t puts the time of
 * a line's first piece before it. @at_line_start carries the state between
 * calls (start with TRUE). */
void log_print_entry (GString *out, const LogEntry *entry, gboolean timestamps,
                      gboolean *at_line_start);

G_END_DECLS
