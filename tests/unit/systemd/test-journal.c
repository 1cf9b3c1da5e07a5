/* SPDX-License-Identifier: Apache-2.0 */
/* journal.c: the log drivers' names, the k8s-file format read back, and
 * `logs` selection (-n, --since, -f, -t). Writing is the supervisor's
 * (tests/unit/supervisor/test-ctr-log.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "systemd/journal.h"

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

Test (journal, drivers_and_default)
{
  LogDriver d;
  g_autoptr (GError) error = NULL;
  cr_assert (log_driver_from_string ("json-file", &d, NULL));
  cr_assert_eq (d, LOG_DRIVER_K8S_FILE);
  cr_assert (log_driver_from_string ("passthrough", &d, NULL));
  cr_assert_eq (d, LOG_DRIVER_PASSTHROUGH);
  cr_assert (log_driver_from_string ("passthrough-tty", &d, NULL));
  cr_assert_eq (d, LOG_DRIVER_PASSTHROUGH);
  cr_assert_not (log_driver_from_string ("syslog", &d, &error));
  cr_assert (strstr (error->message, "invalid log driver"));

  g_autofree char *sock = g_build_filename (dir, "socket", NULL);
  cr_assert_eq (log_driver_default (sock), LOG_DRIVER_K8S_FILE, "no journald here");
  cr_assert (g_file_set_contents (sock, "", 0, NULL));
  cr_assert_eq (log_driver_default (sock), LOG_DRIVER_JOURNALD);
}

Test (journal, k8s_parse_line)
{
  LogEntry e;
  cr_assert (log_k8s_parse_line ("2024-01-01T00:00:03.500000000+00:00 stderr P thi", &e, NULL));
  cr_assert_eq (e.stream, LOG_STREAM_STDERR);
  cr_assert (e.partial);
  cr_assert_str_eq (e.message, "thi");
  cr_assert_eq (e.time_usec, (1704067200LL + 3) * G_USEC_PER_SEC + G_USEC_PER_SEC / 2);
  log_entry_clear (&e);
  cr_assert_not (log_k8s_parse_line ("garbage", &e, NULL));
  cr_assert_not (log_k8s_parse_line ("2024-01-01T00:00:00Z stdin F x", &e, NULL));
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

/* logs -f follows while the container runs: until its state says exited. */
static gboolean
still_running (gpointer data)
{
  Printer *p = data;
  g_autofree char *exited = g_build_filename (dir, "run", "exited", NULL);
  p->follow_calls++;
  return !g_file_test (exited, G_FILE_TEST_EXISTS);
}

/* The "container" writes once more while logs -f waits, then exits; the
 * waits end on these events, not on a timer. */
static gpointer
container (gpointer path)
{
  g_autofree char *exited = g_build_filename (dir, "run", "exited", NULL);
  FILE *f;
  g_usleep (100000);
  f = fopen (path, "a");
  fputs ("hed\n2024-01-01T00:00:06.000000000+00:00 stderr F last words\n", f);
  fclose (f);
  g_usleep (100000);
  g_file_set_contents (exited, "", 0, NULL);
  return NULL;
}

Test (journal, k8s_follow_until_exit)
{
  g_autofree char *path = g_build_filename (dir, "ctr.log", NULL);
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  cr_assert (g_file_set_contents (path, fixture, -1, NULL));
  cr_assert_eq (mkdir (run, 0700), 0);
  Printer p = { g_string_new (NULL), FALSE, TRUE, 0, path };
  LogReadOptions o = { .tail = 1, .follow = TRUE, .keep_following = still_running, .data = &p,
                       .watch_dir = run };
  GThread *t = g_thread_new ("container", container, path);
  cr_assert (log_read_k8s_file (path, &o, print_entry, &p, NULL));
  g_thread_join (t);
  g_autofree char *out = g_string_free (p.out, FALSE);
  cr_assert_str_eq (out, "fourth\nunfinished\nlast words\n");
  cr_assert_leq (p.follow_calls, 4, "woken by the two changes, not polling: %d", p.follow_calls);
}

Test (journal, since_forms)
{
  gint64 t, now = 1704067200LL * G_USEC_PER_SEC;
  cr_assert (log_parse_time ("10m", FALSE, now, &t, NULL));
  cr_assert_eq (t, now - 600 * G_USEC_PER_SEC);
  cr_assert (log_parse_time ("2024-01-01T00:00:00Z", FALSE, 0, &t, NULL));
  cr_assert_eq (t, now);
  cr_assert (log_parse_time ("2024-01-01T01:00:00+01:00", FALSE, 0, &t, NULL));
  cr_assert_eq (t, now);
  cr_assert (log_parse_time ("2024-01-01", FALSE, 0, &t, NULL));
  cr_assert_eq (t, now, "a date is local midnight (TZ=UTC here)");
  cr_assert (log_parse_time ("1704067200.5", FALSE, 0, &t, NULL));
  cr_assert_eq (t, now + G_USEC_PER_SEC / 2);
  g_autoptr (GError) error = NULL;
  cr_assert_not (log_parse_time ("yesterday", FALSE, 0, &t, &error));
  cr_assert (strstr (error->message, "--since"));
  cr_assert (log_parse_time ("-1s", FALSE, now, &t, NULL), "podman's --since -1s");
  cr_assert_eq (t, now + G_USEC_PER_SEC);
  cr_assert (log_parse_time ("3s", TRUE, now, &t, NULL), "--until 3s: from now on");
  cr_assert_eq (t, now + 3 * G_USEC_PER_SEC);
  cr_assert (log_parse_time ("1704067200", TRUE, 0, &t, NULL));
  cr_assert_eq (t, now);
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
