/* SPDX-License-Identifier: Apache-2.0 */
/* supervisor/ctr-log.c, the supervisor's log drivers: the fields of each
 * journald entry (received on a journal socket of the test's own, in
 * journald's native protocol: this host runs no journald; the real
 * journal is exercised in the VM), line splitting and 8 KiB pieces, and
 * k8s-file records as `podunit logs` reads them back (journal.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "supervisor/ctr-log.h"
#include "systemd/journal.h"
#include "systemd/sdwire.h"

#define ID "3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"

static char *dir, *journal_path;
static int journal_fd = -1;

static void
setup (void)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  dir = g_dir_make_tmp ("ctr-log-XXXXXX", NULL);
  cr_assert_not_null (dir);
  g_setenv ("TZ", "UTC", TRUE);
  tzset ();
  journal_path = g_build_filename (dir, "journal.sock", NULL);
  g_strlcpy (sa.sun_path, journal_path, sizeof sa.sun_path);
  journal_fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  cr_assert_eq (bind (journal_fd, (struct sockaddr *) &sa, sizeof sa), 0);
  /* Big enough for the 8 KiB pieces below. */
  int size = 1 << 20;
  setsockopt (journal_fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  close (journal_fd);
  cr_assert_eq (system (cmd), 0);
  g_clear_pointer (&dir, g_free);
  g_clear_pointer (&journal_path, g_free);
}

TestSuite (ctr_log, .init = setup, .fini = teardown);

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

/* The entries journald got so far, each as "FIELD=value\n…" text. */
static GPtrArray *
received (void)
{
  static unsigned char buf[65536];
  GPtrArray *got = g_ptr_array_new_with_free_func (g_free);
  ssize_t n;
  while ((n = recv (journal_fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
    {
      g_autoptr (GPtrArray) f = parse_native (buf, n);
      GString *s = g_string_new (NULL);
      for (guint i = 0; i < f->len; i++)
        g_string_append_printf (s, "%s\n", (char *) f->pdata[i]);
      g_ptr_array_add (got, g_string_free (s, FALSE));
    }
  return got;
}

static void
journal_log (CtrLog *l, const char *name, const char *tag)
{
  cr_assert_eq (ctr_log_open (l, "journald", ID, name, tag), 0);
  l->journal_socket = journal_path;
}

static gboolean
has_line (const char *entry, const char *line)
{
  g_autofree char *l = g_strconcat (line, "\n", NULL);
  g_autofree char *nl = g_strconcat ("\n", l, NULL);
  return g_str_has_prefix (entry, l) || strstr (entry, nl) != NULL;
}

Test (ctr_log, fields_of_an_entry)
{
  CtrLog l;
  journal_log (&l, "systemd-web", NULL);
  cr_assert_eq (ctr_log_write (&l, CTR_STDOUT, "hello\n", 6), 0);
  cr_assert_eq (ctr_log_write (&l, CTR_STDERR, "oops\n", 5), 0);
  g_autoptr (GPtrArray) got = received ();
  cr_assert_eq (got->len, 2);
  cr_assert_str_eq (got->pdata[0], "MESSAGE=hello\nPRIORITY=6\nCONTAINER_ID=3f2a1b4c5d6e\n"
                                   "CONTAINER_ID_FULL=" ID "\nCONTAINER_NAME=systemd-web\n"
                                   "CONTAINER_TAG=3f2a1b4c5d6e\n"
                                   "SYSLOG_IDENTIFIER=systemd-web\n");
  cr_assert (has_line (got->pdata[1], "MESSAGE=oops"));
  cr_assert (has_line (got->pdata[1], "PRIORITY=3"));
  cr_assert_not (strstr (got->pdata[1], "CONTAINER_PARTIAL_MESSAGE"));
  ctr_log_close (&l);
}

Test (ctr_log, syslog_identifier_tag_then_name_then_short_id)
{
  CtrLog tagged, anon, shortid;
  journal_log (&tagged, "web", "mytag");
  journal_log (&anon, NULL, NULL);
  cr_assert_eq (ctr_log_write (&tagged, CTR_STDOUT, "a\n", 2), 0);
  cr_assert_eq (ctr_log_write (&anon, CTR_STDOUT, "b\n", 2), 0);
  g_autoptr (GPtrArray) got = received ();
  cr_assert_eq (got->len, 2);
  cr_assert (has_line (got->pdata[0], "CONTAINER_TAG=mytag"));
  cr_assert (has_line (got->pdata[0], "SYSLOG_IDENTIFIER=mytag"));
  cr_assert (has_line (got->pdata[0], "CONTAINER_NAME=web"));
  cr_assert (has_line (got->pdata[1], "SYSLOG_IDENTIFIER=3f2a1b4c5d6e"));
  cr_assert_not (strstr (got->pdata[1], "CONTAINER_NAME="));
  cr_assert (has_line (got->pdata[1], "CONTAINER_TAG=3f2a1b4c5d6e"), "the default tag");
  cr_assert_eq (ctr_log_open (&shortid, "journald", "abc", NULL, NULL), -EINVAL);
  ctr_log_close (&tagged);
  ctr_log_close (&anon);
}

Test (ctr_log, lines_split_across_reads_and_held_partials)
{
  CtrLog l;
  journal_log (&l, "c", NULL);
  cr_assert_eq (ctr_log_write (&l, CTR_STDOUT, "one\ntw", 6), 0);
  g_autoptr (GPtrArray) first = received ();
  cr_assert_eq (first->len, 1, "the start of a line is held");
  cr_assert_eq (ctr_log_write (&l, CTR_STDERR, "err", 3), 0);
  cr_assert_eq (ctr_log_write (&l, CTR_STDOUT, "o\n\nthree", 8), 0);
  g_autoptr (GPtrArray) got = received ();
  cr_assert_eq (got->len, 2);
  cr_assert (has_line (got->pdata[0], "MESSAGE=two"), "streams are assembled separately");
  cr_assert (has_line (got->pdata[1], "MESSAGE="), "an empty line is an entry");
  cr_assert_eq (ctr_log_flush (&l), 0);
  g_autoptr (GPtrArray) rest = received ();
  cr_assert_eq (rest->len, 2);
  cr_assert (has_line (rest->pdata[0], "MESSAGE=three"));
  cr_assert (has_line (rest->pdata[0], "CONTAINER_PARTIAL_MESSAGE=true"), "no newline at exit");
  cr_assert (has_line (rest->pdata[1], "MESSAGE=err"));
  cr_assert (has_line (rest->pdata[1], "PRIORITY=3"));
  cr_assert_eq (ctr_log_flush (&l), 0);
  g_autoptr (GPtrArray) none = received ();
  cr_assert_eq (none->len, 0, "nothing held twice");
  ctr_log_close (&l);
}

Test (ctr_log, long_lines_go_out_in_8k_pieces)
{
  CtrLog l;
  gsize n = 2 * CTR_LOG_LINE_MAX + 100;
  g_autofree char *line = g_malloc (n + 1);
  journal_log (&l, "c", NULL);
  memset (line, 'x', n);
  line[n] = '\n';
  /* In odd-sized reads, as a pipe delivers them. */
  for (gsize off = 0; off < n + 1; off += 1000)
    cr_assert_eq (ctr_log_write (&l, CTR_STDOUT, line + off, MIN (1000, n + 1 - off)), 0);
  g_autoptr (GPtrArray) got = received ();
  cr_assert_eq (got->len, 3);
  cr_assert (has_line (got->pdata[0], "CONTAINER_PARTIAL_MESSAGE=true"));
  cr_assert (has_line (got->pdata[1], "CONTAINER_PARTIAL_MESSAGE=true"));
  cr_assert_not (strstr (got->pdata[2], "CONTAINER_PARTIAL_MESSAGE"));
  cr_assert_eq (strchr (got->pdata[0], '\n') - (char *) got->pdata[0], 8 + CTR_LOG_LINE_MAX);
  cr_assert_eq (strchr (got->pdata[2], '\n') - (char *) got->pdata[2], 8 + 100);

  /* Exactly 8 KiB and its newline: one whole line. */
  line[CTR_LOG_LINE_MAX] = '\n';
  cr_assert_eq (ctr_log_write (&l, CTR_STDOUT, line, CTR_LOG_LINE_MAX + 1), 0);
  g_autoptr (GPtrArray) whole = received ();
  cr_assert_eq (whole->len, 1);
  cr_assert_not (strstr (whole->pdata[0], "CONTAINER_PARTIAL_MESSAGE"));
  ctr_log_close (&l);
}

Test (ctr_log, no_journald_is_an_error_not_a_hang)
{
  CtrLog l;
  g_autofree char *gone = g_build_filename (dir, "gone.sock", NULL);
  journal_log (&l, "c", NULL);
  l.journal_socket = gone;
  cr_assert_lt (ctr_log_write (&l, CTR_STDOUT, "x\n", 2), 0);
  ctr_log_close (&l);
}

Test (ctr_log, pump_reads_a_pipe_and_flushes_at_eof)
{
  CtrLog l;
  int p[2];
  journal_log (&l, "c", NULL);
  cr_assert_eq (pipe (p), 0);
  cr_assert_eq (write (p[1], "done\nlast", 9), 9);
  close (p[1]);
  cr_assert_eq (ctr_log_pump (&l, CTR_STDERR, p[0]), 1);
  cr_assert_eq (ctr_log_pump (&l, CTR_STDERR, p[0]), 0, "EOF");
  close (p[0]);
  g_autoptr (GPtrArray) got = received ();
  cr_assert_eq (got->len, 2);
  cr_assert (has_line (got->pdata[0], "MESSAGE=done"));
  cr_assert (has_line (got->pdata[1], "MESSAGE=last"));
  cr_assert (has_line (got->pdata[1], "CONTAINER_PARTIAL_MESSAGE=true"));
  cr_assert (has_line (got->pdata[1], "PRIORITY=3"));
  ctr_log_close (&l);
}

Test (ctr_log, binary_safe_form_for_a_value_with_a_newline)
{
  unsigned char buf[1024];
  struct iovec iov[] = { { "MESSAGE=two\nlines", 17 }, { "PRIORITY=6", 10 } };
  int fd = sdwire_journal_open ();
  cr_assert_eq (sdwire_journal_send (fd, journal_path, iov, 2), 0);
  ssize_t n = recv (journal_fd, buf, sizeof buf, 0);
  g_autoptr (GPtrArray) f = parse_native (buf, n);
  cr_assert_str_eq (f->pdata[0], "MESSAGE=two\nlines");
  cr_assert_str_eq (f->pdata[1], "PRIORITY=6");
  struct iovec bad[] = { { "NOEQUALS", 8 } };
  cr_assert_eq (sdwire_journal_send (fd, journal_path, bad, 1), -EINVAL);
  close (fd);
}

static char *
slurp (const char *path)
{
  char *c = NULL;
  cr_assert (g_file_get_contents (path, &c, NULL, NULL));
  return c;
}

Test (ctr_log, k8s_file_records_read_back_by_logs)
{
  g_autofree char *path = g_build_filename (dir, "ctr.log", NULL);
  CtrLog l, again;
  cr_assert_eq (ctr_log_open (&l, path, ID, "c", NULL), 0);
  cr_assert_eq (ctr_log_write (&l, CTR_STDOUT, "hello world\nno newline", 22), 0);
  cr_assert_eq (ctr_log_write (&l, CTR_STDERR, "bad\n", 4), 0);
  cr_assert_eq (ctr_log_flush (&l), 0);
  ctr_log_close (&l);
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

  /* Appends, never truncates: a restarted container keeps its history. */
  cr_assert_eq (ctr_log_open (&again, path, ID, "c", NULL), 0);
  cr_assert_eq (ctr_log_write (&again, CTR_STDOUT, "more\n", 5), 0);
  ctr_log_close (&again);
  g_autofree char *text2 = slurp (path);
  cr_assert (g_str_has_prefix (text2, text));
  cr_assert (g_str_has_suffix (text2, " stdout F more\n"));

  g_autofree char *nodir = g_build_filename (dir, "no", "such", "ctr.log", NULL);
  cr_assert_eq (ctr_log_open (&l, nodir, ID, "c", NULL), -ENOENT);
}

Test (ctr_log, none_writes_nothing)
{
  CtrLog l;
  cr_assert_eq (ctr_log_open (&l, NULL, ID, NULL, NULL), 0);
  cr_assert_eq (ctr_log_write (&l, CTR_STDOUT, "x\n", 2), 0);
  g_autoptr (GPtrArray) got = received ();
  cr_assert_eq (got->len, 0);
}
