/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities and seccomp applied the way the runner does before execve
 * (order in caps.h), checked from inside the resulting process: its
 * /proc/self/status and what the kernel lets it do. Needs root. */
#include "sandbox/caps.h"
#include "sandbox/seccomp.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/kcmp.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIT(cap) (G_GUINT64_CONSTANT (1) << (cap))

static void
need_root (void)
{
  if (geteuid () != 0)
    cr_skip_test ("needs root");
}

typedef struct
{
  const char *const *add;
  const char *const *drop;
  uid_t uid; /* 0: stay root */
  gboolean no_new_privs;
  gboolean exec_status; /* execve cat /proc/self/status instead of checking in place */
  pid_t ptrace_target;  /* for the "seize" probe */
} Setup;

/* What the child reports back through a pipe: /proc/self/status, then one
 * line per probe "name errno". */
static char *
run_contained (const Setup *s, const char *const *probes)
{
  g_autoptr (GError) error = NULL;
  CapSets caps;
  int fds[2];
  pid_t pid;
  int status;
  g_autoptr (GString) out = g_string_new (NULL);
  char buf[4096];
  ssize_t n;

  cr_assert (caps_resolve (s->add, s->drop, s->uid == 0, s->no_new_privs, &caps, &error), "%s",
             error ? error->message : "");
  g_autoptr (SeccompProgram) prog = seccomp_program_prepare (NULL, caps.bounding, NULL, &error);
  cr_assert_not_null (prog, "%s", error ? error->message : "");
  cr_assert_eq (pipe (fds), 0);
  pid = fork ();
  if (pid == 0)
    {
      close (fds[0]);
      dup2 (fds[1], 1);
      /* A private mount namespace, so that a mount that should fail but
       * succeeds does not touch the host. */
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        _exit (101);
      if (!caps_apply_bounding (&caps, NULL))
        _exit (102);
      if (!caps.no_new_privs && !seccomp_program_apply (prog, NULL))
        _exit (103);
      if (s->uid != 0
          && (setgroups (0, NULL) < 0 || setresgid (s->uid, s->uid, s->uid) < 0
              || setresuid (s->uid, s->uid, s->uid) < 0))
        _exit (104);
      if (!caps_apply (&caps, NULL))
        _exit (105);
      if (caps.no_new_privs && !seccomp_program_apply (prog, NULL))
        _exit (106);
      if (s->exec_status)
        {
          execl ("/bin/cat", "cat", "/proc/self/status", NULL);
          _exit (107);
        }
      {
        g_autofree char *text = NULL;
        g_file_get_contents ("/proc/self/status", &text, NULL, NULL);
        fputs (text ? text : "", stdout);
      }
      for (gsize i = 0; probes != NULL && probes[i] != NULL; i++)
        {
          long r = -1;
          errno = ENOENT;
          if (g_str_equal (probes[i], "mount"))
            r = mount ("tmpfs", "/mnt", "tmpfs", 0, NULL);
          else if (g_str_equal (probes[i], "unshare"))
            r = unshare (CLONE_NEWNS);
          else if (g_str_equal (probes[i], "add_key"))
            r = syscall (SYS_add_key, "user", "podunit", "x", 1, KEY_SPEC_PROCESS_KEYRING);
          else if (g_str_equal (probes[i], "kcmp"))
            r = syscall (SYS_kcmp, getpid (), getpid (), KCMP_FILE, 0, 0);
          else if (g_str_equal (probes[i], "ptrace"))
            r = ptrace (PTRACE_TRACEME, 0, NULL, NULL);
          else if (g_str_equal (probes[i], "seize"))
            r = ptrace (PTRACE_SEIZE, s->ptrace_target, NULL, NULL);
          else if (g_str_equal (probes[i], "future"))
            r = syscall (1000);
          printf ("probe %s %d\n", probes[i], r < 0 ? errno : 0);
        }
      fflush (stdout);
      _exit (0);
    }
  close (fds[1]);
  while ((n = read (fds[0], buf, sizeof buf)) > 0)
    g_string_append_len (out, buf, n);
  close (fds[0]);
  cr_assert_eq (waitpid (pid, &status, 0), pid);
  cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "child failed: status %d", status);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_line (const char *text, const char *line)
{
  g_autofree char *needle = g_strdup_printf ("\n%s\n", line);
  g_autofree char *padded = g_strdup_printf ("\n%s", text);
  cr_assert (strstr (padded, needle) != NULL, "'%s' not in:\n%s", line, text);
}

Test (security, default_container)
{
  const char *probes[] = { "mount", "unshare", "add_key", "kcmp", "ptrace", "future", NULL };
  Setup s = { 0 };
  need_root ();
  g_autofree char *out = run_contained (&s, probes);
  assert_line (out, "CapEff:\t00000000800405fb");
  assert_line (out, "CapPrm:\t00000000800405fb");
  assert_line (out, "CapBnd:\t00000000800405fb");
  assert_line (out, "CapInh:\t0000000000000000");
  assert_line (out, "CapAmb:\t0000000000000000");
  assert_line (out, "Seccomp:\t2");
  assert_line (out, "NoNewPrivs:\t0");
  assert_line (out, "probe mount 1");    /* EPERM: no CAP_SYS_ADMIN */
  assert_line (out, "probe unshare 1");  /* EPERM */
  assert_line (out, "probe add_key 38"); /* ENOSYS: not in the profile */
  assert_line (out, "probe kcmp 1");     /* EPERM: needs CAP_SYS_PTRACE */
  assert_line (out, "probe ptrace 0");   /* allowed, as podman's profile does */
  assert_line (out, "probe future 38");
}

Test (security, cap_add_sys_admin_allows_unshare)
{
  const char *add[] = { "SYS_ADMIN", NULL };
  const char *probes[] = { "unshare", NULL };
  Setup s = { .add = add };
  need_root ();
  g_autofree char *out = run_contained (&s, probes);
  assert_line (out, "CapEff:\t00000000802405fb");
  assert_line (out, "probe unshare 0");
}

/* A host process with all of root's capabilities, to be traced. */
static pid_t
start_sleeper (void)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL); /* also when an assertion ends the test */
      pause ();
      _exit (0);
    }
  cr_assert_gt (pid, 0);
  return pid;
}

static void
stop_sleeper (pid_t pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

/* ptrace itself is allowed; the kernel wants CAP_SYS_PTRACE to trace a
 * process with capabilities the tracer lacks. */
Test (security, ptrace_of_a_privileged_process_needs_sys_ptrace)
{
  const char *add[] = { "SYS_PTRACE", NULL };
  const char *probes[] = { "seize", NULL };
  need_root ();
  pid_t sleeper = start_sleeper ();
  Setup plain = { .ptrace_target = sleeper };
  Setup added = { .add = add, .ptrace_target = sleeper };
  g_autofree char *out = run_contained (&plain, probes);
  g_autofree char *out2 = run_contained (&added, probes);
  stop_sleeper (sleeper);
  assert_line (out, "probe seize 1");
  assert_line (out2, "probe seize 0");
}

Test (security, cap_add_sys_ptrace_allows_kcmp)
{
  const char *add[] = { "cap_sys_ptrace", NULL };
  const char *probes[] = { "kcmp", NULL };
  Setup s = { .add = add };
  need_root ();
  g_autofree char *out = run_contained (&s, probes);
  assert_line (out, "probe kcmp 0");
}

Test (security, cap_add_net_admin_sets_bit_12)
{
  const char *add[] = { "NET_ADMIN", NULL };
  Setup s = { .add = add };
  need_root ();
  g_autofree char *out = run_contained (&s, NULL);
  assert_line (out, "CapEff:\t00000000800415fb");
  assert_line (out, "CapBnd:\t00000000800415fb");
}

Test (security, cap_drop_all)
{
  const char *drop[] = { "ALL", NULL };
  Setup s = { .drop = drop };
  need_root ();
  g_autofree char *out = run_contained (&s, NULL);
  assert_line (out, "CapEff:\t0000000000000000");
  assert_line (out, "CapPrm:\t0000000000000000");
  assert_line (out, "CapBnd:\t0000000000000000");
  assert_line (out, "Seccomp:\t2");
}

Test (security, no_new_privileges)
{
  Setup s = { .no_new_privs = TRUE };
  need_root ();
  g_autofree char *out = run_contained (&s, NULL);
  assert_line (out, "NoNewPrivs:\t1");
  assert_line (out, "Seccomp:\t2");
  assert_line (out, "CapEff:\t00000000800405fb");
}

/* After execve as uid 1000: nothing, unless added (then through ambient). */
Test (security, non_root_user_after_execve)
{
  const char *add[] = { "NET_BIND_SERVICE", NULL };
  Setup plain = { .uid = 1000, .exec_status = TRUE };
  Setup added = { .add = add, .uid = 1000, .exec_status = TRUE };
  need_root ();
  g_autofree char *out = run_contained (&plain, NULL);
  assert_line (out, "CapEff:\t0000000000000000");
  assert_line (out, "CapPrm:\t0000000000000000");
  assert_line (out, "CapBnd:\t00000000800405fb");
  assert_line (out, "Seccomp:\t2");
  g_autofree char *out2 = run_contained (&added, NULL);
  assert_line (out2, "CapEff:\t0000000000000400");
  assert_line (out2, "CapAmb:\t0000000000000400");
  assert_line (out2, "CapBnd:\t00000000800405fb");
}

/* Root after execve keeps the set (cat as root in the container). */
Test (security, root_after_execve)
{
  Setup s = { .exec_status = TRUE };
  need_root ();
  g_autofree char *out = run_contained (&s, NULL);
  assert_line (out, "CapEff:\t00000000800405fb");
  assert_line (out, "Seccomp:\t2");
}
