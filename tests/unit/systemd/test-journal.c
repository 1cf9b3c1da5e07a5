/* SPDX-License-Identifier: Apache-2.0 */
/* journal.c: the fields each journald entry gets (captured through the sink
 * instead of sd_journal_sendv: this host runs no journald; the real journal
 * is exercised in the VM), line splitting and pieces, the k8s-file format
 * written and read back, and `logs` selection (-n, --since, -f, -t). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "systemd/journal.h"
#include "systemd/sdwire.h"

#define ID "3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"

static char *dir;

static void
setup (void)
{
  dir = g_dir_make_tmp ("journal-XXXXXX", NULL);
  cr_assert_not_null (dir);
  g_setenv ("TZ", "UTC", TRUE);
  tzset ();
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  cr_assert_eq (system (cmd), 0);
  g_clear_pointer (&dir, g_free);
}

TestSuite (journal, .init = setup, .fini = teardown);

/* Each captured entry as "FIELD=value\n…" text. */
static int
capture (const struct iovec *iov, int n, gpointer data)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    {
      g_string_append_len (s, iov[i].iov_base, iov[i].iov_len);
      g_string_append_c (s, '\n');
    }
  g_ptr_array_add (data, g_string_free (s, FALSE));
  return 0;
}

static LogWriter *
journal_writer (GPtrArray *got, const char *name, const char *tag)
{
  LogIdentity id = { ID, name, tag };
  g_autoptr (GError) error = NULL;
  LogWriter *w = log_writer_new (LOG_DRIVER_JOURNALD, &id, NULL, &error);
  cr_assert_not_null (w, "%s", error ? error->message : "");
  log_writer_set_journal_sink (w, capture, got);
  return w;
}

static gboolean
has_line (const char *entry, const char *line)
{
  g_autofree char *l = g_strconcat (line, "\n", NULL);
  g_autofree char *nl = g_strconcat ("\n", l, NULL);
  return g_str_has_prefix (entry, l) || strstr (entry, nl) != NULL;
}

Test (journal, drivers_and_default)
{
  LogDriver d;
  g_autoptr (GError) error = NULL;
  cr_assert (log_driver_from_string ("json-file", &d, NULL));
  cr_assert_eq (d, LOG_DRIVER_K8S_FILE);
  cr_assert (log_driver_from_string ("passthrough", &d, NULL));
  cr_assert_not (log_driver_uses_pipes (d));
  cr_assert_not (log_driver_from_string ("syslog", &d, &error));
  cr_assert (strstr (error->message, "--log-driver"));

  g_autofree char *sock = g_build_filename (dir, "socket", NULL);
  cr_assert_eq (log_driver_default (sock), LOG_DRIVER_K8S_FILE, "no journald here");
  cr_assert (g_file_set_contents (sock, "", 0, NULL));
  cr_assert_eq (log_driver_default (sock), LOG_DRIVER_JOURNALD);
}

Test (journal, fields_of_an_entry)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (LogWriter) w = journal_writer (got, "systemd-web", NULL);
  cr_assert (log_writer_write (w, LOG_STREAM_STDOUT, "hello\n", 6, NULL));
  cr_assert (log_writer_write (w, LOG_STREAM_STDERR, "oops\n", 5, NULL));
  cr_assert_eq (got->len, 2);
  cr_assert_str_eq (got->pdata[0], "MESSAGE=hello\nPRIORITY=6\nCONTAINER_ID=3f2a1b4c5d6e\n"
                                   "CONTAINER_ID_FULL=" ID "\nCONTAINER_NAME=systemd-web\n"
                                   "CONTAINER_TAG=3f2a1b4c5d6e\n"
                                   "SYSLOG_IDENTIFIER=systemd-web\n");
  cr_assert (has_line (got->pdata[1], "MESSAGE=oops"));
  cr_assert (has_line (got->pdata[1], "PRIORITY=3"));
  cr_assert_not (strstr (got->pdata[1], "CONTAINER_PARTIAL_MESSAGE"));
}

Test (journal, syslog_identifier_tag_then_name_then_short_id)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (LogWriter) tagged = journal_writer (got, "web", "mytag");
  g_autoptr (LogWriter) anon = journal_writer (got, NULL, NULL);
  cr_assert (log_writer_write (tagged, LOG_STREAM_STDOUT, "a\n", 2, NULL));
  cr_assert (log_writer_write (anon, LOG_STREAM_STDOUT, "b\n", 2, NULL));
  cr_assert (has_line (got->pdata[0], "CONTAINER_TAG=mytag"));
  cr_assert (has_line (got->pdata[0], "SYSLOG_IDENTIFIER=mytag"));
  cr_assert (has_line (got->pdata[0], "CONTAINER_NAME=web"));
  cr_assert (has_line (got->pdata[1], "SYSLOG_IDENTIFIER=3f2a1b4c5d6e"));
  cr_assert_not (strstr (got->pdata[1], "CONTAINER_NAME="));
  cr_assert (has_line (got->pdata[1], "CONTAINER_TAG=3f2a1b4c5d6e"), "the default tag");

  LogIdentity shortid = { "abc", NULL, NULL };
  g_autoptr (GError) error = NULL;
  cr_assert_null (log_writer_new (LOG_DRIVER_JOURNALD, &shortid, NULL, &error));
}

Test (journal, lines_split_across_reads_and_held_partials)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (LogWriter) w = journal_writer (got, "c", NULL);
  cr_assert (log_writer_write (w, LOG_STREAM_STDOUT, "one\ntw", 6, NULL));
  cr_assert_eq (got->len, 1, "the start of a line is held");
  cr_assert (log_writer_write (w, LOG_STREAM_STDERR, "err", 3, NULL));
  cr_assert (log_writer_write (w, LOG_STREAM_STDOUT, "o\n\nthree", 8, NULL));
  cr_assert_eq (got->len, 3);
  cr_assert (has_line (got->pdata[1], "MESSAGE=two"), "streams are assembled separately");
  cr_assert (has_line (got->pdata[2], "MESSAGE="), "an empty line is an entry");
  cr_assert (log_writer_flush (w, NULL));
  cr_assert_eq (got->len, 5);
  cr_assert (has_line (got->pdata[3], "MESSAGE=three"));
  cr_assert (has_line (got->pdata[3], "CONTAINER_PARTIAL_MESSAGE=true"), "no newline at exit");
  cr_assert (has_line (got->pdata[4], "MESSAGE=err"));
  cr_assert (has_line (got->pdata[4], "PRIORITY=3"));
  cr_assert (log_writer_flush (w, NULL));
  cr_assert_eq (got->len, 5, "nothing held twice");
}

Test (journal, long_lines_go_out_in_8k_pieces)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (LogWriter) w = journal_writer (got, "c", NULL);
  gsize n = 2 * LOG_LINE_MAX + 100;
  g_autofree char *line = g_malloc (n + 1);
  memset (line, 'x', n);
  line[n] = '\n';
  /* In odd-sized reads, as a pipe delivers them. */
  for (gsize off = 0; off < n + 1; off += 1000)
    cr_assert (log_writer_write (w, LOG_STREAM_STDOUT, line + off, MIN (1000, n + 1 - off), NULL));
  cr_assert_eq (got->len, 3);
  cr_assert (has_line (got->pdata[0], "CONTAINER_PARTIAL_MESSAGE=true"));
  cr_assert (has_line (got->pdata[1], "CONTAINER_PARTIAL_MESSAGE=true"));
  cr_assert_not (strstr (got->pdata[2], "CONTAINER_PARTIAL_MESSAGE"));
  cr_assert_eq (strchr (got->pdata[0], '\n') - (char *) got->pdata[0], 8 + LOG_LINE_MAX);
  cr_assert_eq (strchr (got->pdata[2], '\n') - (char *) got->pdata[2], 8 + 100);

  /* Exactly 8 KiB and its newline: one whole line. */
  g_ptr_array_set_size (got, 0);
  line[LOG_LINE_MAX] = '\n';
  cr_assert (log_writer_write (w, LOG_STREAM_STDOUT, line, LOG_LINE_MAX + 1, NULL));
  cr_assert_eq (got->len, 1);
  cr_assert_not (strstr (got->pdata[0], "CONTAINER_PARTIAL_MESSAGE"));
}

static int
no_journal (const struct iovec *iov, int n, gpointer data)
{
  return -ENOENT;
}

Test (journal, sink_failure_is_reported)
{
  g_autoptr (GError) error = NULL;
  LogIdentity id = { ID, "c", NULL };
  g_autoptr (LogWriter) w = log_writer_new (LOG_DRIVER_JOURNALD, &id, NULL, NULL);
  log_writer_set_journal_sink (w, no_journal, NULL);
  cr_assert_not (log_writer_write (w, LOG_STREAM_STDOUT, "x\n", 2, &error));
  cr_assert (strstr (error->message, "sd_journal_send"));
}

static char *
slurp (const char *path)
{
  char *c = NULL;
  cr_assert (g_file_get_contents (path, &c, NULL, NULL));
  return c;
}

Test (journal, k8s_file_records)
{
  g_autofree char *path = g_build_filename (dir, "ctr.log", NULL);
  LogIdentity id = { ID, "c", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (LogWriter) w = log_writer_new (LOG_DRIVER_K8S_FILE, &id, path, &error);
  cr_assert_not_null (w, "%s", error ? error->message : "");
  cr_assert (log_writer_write (w, LOG_STREAM_STDOUT, "hello world\nno newline", 22, NULL));
  cr_assert (log_writer_write (w, LOG_STREAM_STDERR, "bad\n", 4, NULL));
  cr_assert (log_writer_flush (w, NULL));
  g_autofree char *text = slurp (path);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  cr_assert_eq (g_strv_length (lines), 4, "%s", text);
  cr_assert_str_eq (lines[3], "");
  cr_assert (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}\\+00:00 "
                                   "stdout F hello world$",
                                   lines[0], 0, 0),
             "%s", lines[0]);
  cr_assert (g_str_has_suffix (lines[1], " stderr F bad"), "%s", lines[1]);
  cr_assert (g_str_has_suffix (lines[2], " stdout P no newline"), "%s", lines[2]);

  LogEntry e;
  cr_assert (log_k8s_parse_line (lines[2], &e, NULL));
  cr_assert_eq (e.stream, LOG_STREAM_STDOUT);
  cr_assert (e.partial);
  cr_assert_str_eq (e.message, "no newline");
  gint64 now = g_get_real_time ();
  cr_assert (e.time_usec <= now && e.time_usec > now - 60 * G_USEC_PER_SEC);
  log_entry_clear (&e);
  cr_assert_not (log_k8s_parse_line ("garbage", &e, NULL));
  cr_assert_not (log_k8s_parse_line ("2024-01-01T00:00:00Z stdin F x", &e, NULL));

  /* Appends, never truncates: a restarted container keeps its history. */
  g_autoptr (LogWriter) again = log_writer_new (LOG_DRIVER_K8S_FILE, &id, path, NULL);
  cr_assert (log_writer_write (again, LOG_STREAM_STDOUT, "more\n", 5, NULL));
  g_autofree char *text2 = slurp (path);
  cr_assert (g_str_has_prefix (text2, text));
  cr_assert (g_str_has_suffix (text2, " stdout F more\n"));
}

Test (journal, timestamp_format)
{
  g_autofree char *t = log_format_timestamp (1704067200LL * G_USEC_PER_SEC + 123456);
  cr_assert_str_eq (t, "2024-01-01T00:00:00.123456000+00:00");
  g_setenv ("TZ", "CET-1", TRUE);
  tzset ();
  g_autofree char *cet = log_format_timestamp (1704067200LL * G_USEC_PER_SEC);
  cr_assert_str_eq (cet, "2024-01-01T01:00:00.000000000+01:00");
}

static const char fixture[] = "2024-01-01T00:00:01.000000000+00:00 stdout F first\n"
                              "2024-01-01T00:00:02.000000000+00:00 stderr F second\n"
                              "2024-01-01T00:00:03.000000000+00:00 stdout P thi\n"
                              "2024-01-01T00:00:03.500000000+00:00 stdout F rd\n"
                              "2024-01-01T00:00:04.000000000+00:00 stdout F fourth\n"
                              "2024-01-01T00:00:05.000000000+00:00 stdout F unfinis";

typedef struct
{
  GString *out;
  gboolean timestamps, at_start;
  int follow_calls;
  const char *path;
} Printer;

static gboolean
print_entry (const LogEntry *e, gpointer data)
{
  Printer *p = data;
  log_print_entry (p->out, e, p->timestamps, &p->at_start);
  return TRUE;
}

static char *
read_logs (const char *path, gint tail, gint64 since, gboolean timestamps)
{
  Printer p = { g_string_new (NULL), timestamps, TRUE, 0, NULL };
  LogReadOptions o = { .since_usec = since, .tail = tail };
  g_autoptr (GError) error = NULL;
  cr_assert (log_read_k8s_file (path, &o, print_entry, &p, &error), "%s",
             error ? error->message : "");
  return g_string_free (p.out, FALSE);
}

Test (journal, k8s_read_back_tail_since_timestamps)
{
  g_autofree char *path = g_build_filename (dir, "ctr.log", NULL);
  cr_assert (g_file_set_contents (path, fixture, -1, NULL));

  g_autofree char *all = read_logs (path, -1, 0, FALSE);
  cr_assert_str_eq (all, "first\nsecond\nthird\nfourth\n",
                    "pieces joined; an unfinished record is not read yet");
  g_autofree char *two = read_logs (path, 2, 0, FALSE);
  cr_assert_str_eq (two, "third\nfourth\n", "-n counts lines, not pieces");
  g_autofree char *zero = read_logs (path, 0, 0, FALSE);
  cr_assert_str_eq (zero, "");
  g_autofree char *many = read_logs (path, 100, 0, FALSE);
  cr_assert_str_eq (many, all);
  g_autofree char *since = read_logs (path, -1, (1704067200LL + 2) * G_USEC_PER_SEC, FALSE);
  cr_assert_str_eq (since, "second\nthird\nfourth\n");
  g_autofree char *stamped = read_logs (path, 2, 0, TRUE);
  cr_assert_str_eq (stamped, "2024-01-01T00:00:03.000000000+00:00 third\n"
                             "2024-01-01T00:00:04.000000000+00:00 fourth\n");

  g_autoptr (GError) error = NULL;
  g_autofree char *gone = g_build_filename (dir, "gone.log", NULL);
  LogReadOptions o = { .tail = -1 };
  cr_assert_not (log_read_k8s_file (gone, &o, print_entry, NULL, &error));
  cr_assert (strstr (error->message, "gone.log"));
}

/* The "container" writes once more while logs -f waits, then exits. */
static gboolean
still_running (gpointer data)
{
  Printer *p = data;
  if (p->follow_calls++ == 1)
    {
      FILE *f = fopen (p->path, "a");
      fputs ("hed\n2024-01-01T00:00:06.000000000+00:00 stderr F last words\n", f);
      fclose (f);
      return FALSE;
    }
  return TRUE;
}

Test (journal, k8s_follow_until_exit)
{
  g_autofree char *path = g_build_filename (dir, "ctr.log", NULL);
  cr_assert (g_file_set_contents (path, fixture, -1, NULL));
  Printer p = { g_string_new (NULL), FALSE, TRUE, 0, path };
  LogReadOptions o = { .tail = 1, .follow = TRUE, .keep_following = still_running, .data = &p };
  cr_assert (log_read_k8s_file (path, &o, print_entry, &p, NULL));
  g_autofree char *out = g_string_free (p.out, FALSE);
  cr_assert_str_eq (out, "fourth\nunfinished\nlast words\n");
  cr_assert_eq (p.follow_calls, 2);
}

Test (journal, since_forms)
{
  gint64 t, now = 1704067200LL * G_USEC_PER_SEC;
  cr_assert (log_parse_since ("10m", now, &t, NULL));
  cr_assert_eq (t, now - 600 * G_USEC_PER_SEC);
  cr_assert (log_parse_since ("2024-01-01T00:00:00Z", 0, &t, NULL));
  cr_assert_eq (t, now);
  cr_assert (log_parse_since ("2024-01-01T01:00:00+01:00", 0, &t, NULL));
  cr_assert_eq (t, now);
  cr_assert (log_parse_since ("2024-01-01", 0, &t, NULL));
  cr_assert_eq (t, now, "a date is local midnight (TZ=UTC here)");
  cr_assert (log_parse_since ("1704067200.5", 0, &t, NULL));
  cr_assert_eq (t, now + G_USEC_PER_SEC / 2);
  g_autoptr (GError) error = NULL;
  cr_assert_not (log_parse_since ("yesterday", 0, &t, &error));
  cr_assert (strstr (error->message, "--since"));
}

Test (journal, journal_reader_without_entries)
{
  /* No journal runs here: reading finds nothing for an unknown id (and in
   * the VM the e2e suite reads real entries). */
  Printer p = { g_string_new (NULL), FALSE, TRUE, 0, NULL };
  LogReadOptions o = { .tail = -1 };
  g_autoptr (GError) error = NULL;
  cr_assert (log_read_journal (ID, &o, print_entry, &p, &error), "%s",
             error ? error->message : "");
  g_autofree char *out = g_string_free (p.out, FALSE);
  cr_assert_str_eq (out, "");
}

/* journald's side of the native protocol: "KEY=value\n", or "KEY\n" +
 * le64 length + value + "\n". Returns the fields of one datagram. */
static GPtrArray *
parse_native (const unsigned char *p, gsize len)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  const unsigned char *end = p + len;
  while (p < end)
    {
      const unsigned char *nl = memchr (p, '\n', end - p);
      const unsigned char *eq = memchr (p, '=', (nl ? nl : end) - p);
      cr_assert_not_null (nl);
      if (eq)
        {
          g_ptr_array_add (fields, g_strndup ((const char *) p, nl - p));
          p = nl + 1;
          continue;
        }
      guint64 vlen = 0;
      for (int b = 0; b < 8; b++)
        vlen |= (guint64) nl[1 + b] << (8 * b);
      g_autofree char *key = g_strndup ((const char *) p, nl - p);
      g_autofree char *val = g_strndup ((const char *) nl + 9, vlen);
      g_ptr_array_add (fields, g_strconcat (key, "=", val, NULL));
      cr_assert_eq (nl[9 + vlen], '\n');
      p = nl + 10 + vlen;
    }
  return fields;
}

Test (journal, native_protocol_on_a_fake_journal_socket)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  g_autofree char *path = g_build_filename (dir, "journal.sock", NULL);
  unsigned char buf[16384];
  int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_strlcpy (sa.sun_path, path, sizeof sa.sun_path);
  cr_assert_eq (bind (fd, (struct sockaddr *) &sa, sizeof sa), 0);

  LogIdentity id = { ID, "systemd-web", NULL };
  g_autoptr (LogWriter) w = log_writer_new (LOG_DRIVER_JOURNALD, &id, NULL, NULL);
  log_writer_set_journal_socket (w, path);
  cr_assert (log_writer_write (w, LOG_STREAM_STDERR, "it works\n", 9, NULL));
  ssize_t n = recv (fd, buf, sizeof buf, 0);
  cr_assert_gt (n, 0);
  g_autoptr (GPtrArray) f = parse_native (buf, n);
  cr_assert_eq (f->len, 7);
  cr_assert_str_eq (f->pdata[0], "MESSAGE=it works");
  cr_assert_str_eq (f->pdata[1], "PRIORITY=3");
  cr_assert_str_eq (f->pdata[2], "CONTAINER_ID=3f2a1b4c5d6e");
  cr_assert_str_eq (f->pdata[3], "CONTAINER_ID_FULL=" ID);
  cr_assert_str_eq (f->pdata[4], "CONTAINER_NAME=systemd-web");
  cr_assert_str_eq (f->pdata[5], "CONTAINER_TAG=3f2a1b4c5d6e");
  cr_assert_str_eq (f->pdata[6], "SYSLOG_IDENTIFIER=systemd-web");

  /* A value with a newline goes in the binary-safe form. */
  struct iovec iov[] = { { "MESSAGE=two\nlines", 17 }, { "PRIORITY=6", 10 } };
  cr_assert_eq (sdwire_journal_send (fd, path, iov, 2), 0);
  n = recv (fd, buf, sizeof buf, 0);
  g_autoptr (GPtrArray) f2 = parse_native (buf, n);
  cr_assert_str_eq (f2->pdata[0], "MESSAGE=two\nlines");
  cr_assert_str_eq (f2->pdata[1], "PRIORITY=6");
  struct iovec bad[] = { { "NOEQUALS", 8 } };
  cr_assert_eq (sdwire_journal_send (fd, path, bad, 1), -EINVAL);
  close (fd);

  /* No journald at all: an error, not a crash or a hang. */
  g_autoptr (GError) error = NULL;
  g_autofree char *gone = g_build_filename (dir, "gone.sock", NULL);
  log_writer_set_journal_socket (w, gone);
  cr_assert_not (log_writer_write (w, LOG_STREAM_STDOUT, "x\n", 2, &error));
}
