/* SPDX-License-Identifier: Apache-2.0 */
/* The seccomp profile as a container sees it: each check forks, loads the
 * filter (with no_new_privs, so no privilege is needed) and makes the
 * syscall. Also profile errors and the BPF cache. */
#include "sandbox/caps.h"
#include "sandbox/seccomp.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/kcmp.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <unistd.h>

#define BIT(cap) (G_GUINT64_CONSTANT (1) << (cap))

typedef long (*Probe) (void);

/* Loads @prog in a child and runs @probe there. Returns the errno the
 * probe's syscall failed with, 0 on success, or -1 when loading failed. */
static int
errno_under (const SeccompProgram *prog, Probe probe)
{
  pid_t pid = fork ();
  int status;
  if (pid == 0)
    {
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || !seccomp_program_apply (prog, NULL))
        _exit (255);
      _exit (probe () < 0 ? errno : 0);
    }
  cr_assert_gt (pid, 0);
  cr_assert_eq (waitpid (pid, &status, 0), pid);
  cr_assert (WIFEXITED (status), "child died with status %d", status);
  return WEXITSTATUS (status) == 255 ? -1 : WEXITSTATUS (status);
}

static SeccompProgram *
prepare_default (guint64 caps)
{
  g_autoptr (GError) error = NULL;
  SeccompProgram *prog = seccomp_program_prepare (NULL, caps, NULL, &error);
  cr_assert_not_null (prog, "%s", error ? error->message : "");
  return prog;
}

static long
probe_getpid (void)
{
  return syscall (SYS_getpid);
}
static long
probe_add_key (void)
{
  return syscall (SYS_add_key, "user", "podunit-test", "x", 1, KEY_SPEC_PROCESS_KEYRING);
}
static long
probe_keyctl (void)
{
  return syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1);
}
static long
probe_io_uring (void)
{
  return syscall (425 /* io_uring_setup */, 1, NULL);
}
/* A syscall number no kernel has yet. */
static long
probe_future (void)
{
  return syscall (1000);
}
static long
probe_vmsplice (void)
{
  return syscall (SYS_vmsplice, -1, NULL, 0, 0);
}
static long
probe_userfaultfd (void)
{
  return syscall (SYS_userfaultfd, 0);
}
static long
probe_swapoff (void)
{
  return syscall (SYS_swapoff, "/nonexistent");
}
static long
probe_kcmp (void)
{
  return syscall (SYS_kcmp, getpid (), getpid (), KCMP_FILE, 0, 0);
}
static long
probe_chroot (void)
{
  return syscall (SYS_chroot, "/");
}
static long
probe_personality_query (void)
{
  return syscall (SYS_personality, 0xffffffff);
}
static long
probe_personality_exec (void)
{
  return syscall (SYS_personality, READ_IMPLIES_EXEC);
}
static long
probe_audit_socket (void)
{
  return syscall (SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
}
static long
probe_udp_socket (void)
{
  return syscall (SYS_socket, AF_INET, SOCK_DGRAM, 0);
}
static long
probe_status (void)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  if (strstr (status, "\nSeccomp:\t2\n") == NULL)
    {
      errno = EBADMSG;
      return -1;
    }
  return 0;
}

Test (seccomp, default_profile_filters_the_process)
{
  g_autoptr (SeccompProgram) prog = prepare_default (CAPS_DEFAULT_MASK);
  cr_assert_not (seccomp_program_is_empty (prog));
  cr_assert_gt (seccomp_program_length (prog), 100);
  cr_assert_eq (errno_under (prog, probe_status), 0, "/proc/self/status lacks Seccomp: 2");
  cr_assert_eq (errno_under (prog, probe_getpid), 0);
}

Test (seccomp, unlisted_syscalls_fail_with_enosys)
{
  g_autoptr (SeccompProgram) prog = prepare_default (CAPS_DEFAULT_MASK);
  /* add_key works unfiltered (it did for this test process), but is not in
   * podman's profile. */
  cr_assert_eq (errno_under (prog, probe_add_key), ENOSYS);
  cr_assert_eq (errno_under (prog, probe_io_uring), ENOSYS);
  cr_assert_eq (errno_under (prog, probe_future), ENOSYS);
  /* keyctl is allowed by podman's profile. */
  cr_assert_neq (errno_under (prog, probe_keyctl), ENOSYS);
  cr_assert_neq (errno_under (prog, probe_keyctl), EPERM);
}

Test (seccomp, denied_syscalls_fail_with_eperm)
{
  g_autoptr (SeccompProgram) prog = prepare_default (CAPS_DEFAULT_MASK);
  cr_assert_eq (errno_under (prog, probe_vmsplice), EPERM);
  cr_assert_eq (errno_under (prog, probe_userfaultfd), EPERM);
  cr_assert_eq (errno_under (prog, probe_swapoff), EPERM);
}

Test (seccomp, capability_gated_rules)
{
  g_autoptr (SeccompProgram) plain = prepare_default (CAPS_DEFAULT_MASK);
  g_autoptr (SeccompProgram) ptrace = prepare_default (CAPS_DEFAULT_MASK | BIT (CAP_SYS_PTRACE));
  g_autoptr (SeccompProgram) no_chroot
      = prepare_default (CAPS_DEFAULT_MASK & ~BIT (CAP_SYS_CHROOT));
  cr_assert_eq (errno_under (plain, probe_kcmp), EPERM);
  cr_assert_eq (errno_under (ptrace, probe_kcmp), 0);
  /* The test may run as root with CAP_SYS_CHROOT: EPERM is the filter's. */
  cr_assert_eq (errno_under (no_chroot, probe_chroot), EPERM);
  if (geteuid () == 0)
    cr_assert_eq (errno_under (plain, probe_chroot), 0);
}

Test (seccomp, argument_rules)
{
  g_autoptr (SeccompProgram) plain = prepare_default (CAPS_DEFAULT_MASK);
  g_autoptr (SeccompProgram) audit = prepare_default (CAPS_DEFAULT_MASK | BIT (CAP_AUDIT_WRITE));
  cr_assert_eq (errno_under (plain, probe_personality_query), 0);
  cr_assert_eq (errno_under (plain, probe_personality_exec), ENOSYS);
  cr_assert_eq (errno_under (plain, probe_audit_socket), EINVAL);
  cr_assert_eq (errno_under (plain, probe_udp_socket), 0);
  cr_assert_neq (errno_under (audit, probe_audit_socket), EINVAL);
}

Test (seccomp, unconfined_is_empty)
{
  g_autoptr (SeccompProgram) prog = seccomp_program_prepare ("unconfined", 0, NULL, NULL);
  cr_assert_not_null (prog);
  cr_assert (seccomp_program_is_empty (prog));
  cr_assert_eq (errno_under (prog, probe_status), EBADMSG);
  cr_assert_eq (errno_under (prog, probe_add_key), 0);
}

#if defined(__x86_64__)
/* A 32-bit (i386 ABI) syscall from this 64-bit process: seccomp sees it as
 * architecture x86, one of the default profile's sub-architectures. */
static long
int80 (long nr)
{
  long ret;
  __asm__ volatile("int $0x80"
                   : "=a"(ret)
                   : "a"(nr), "b"(0), "c"(0), "d"(0)
                   : "memory", "r8", "r9", "r10", "r11");
  if (ret < 0 && ret > -4096)
    {
      errno = (int)-ret;
      return -1;
    }
  return ret;
}
static long
probe_i386_getpid (void)
{
  return int80 (20);
}
static long
probe_i386_add_key (void)
{
  return int80 (286);
}

Test (seccomp, x86_sub_architecture)
{
  g_autoptr (SeccompProgram) unconfined = seccomp_program_prepare ("unconfined", 0, NULL, NULL);
  if (errno_under (unconfined, probe_i386_getpid) != 0)
    cr_skip_test ("the kernel runs no i386 syscalls (no IA32 emulation)");
  g_autoptr (SeccompProgram) prog = prepare_default (CAPS_DEFAULT_MASK);
  cr_assert_eq (errno_under (prog, probe_i386_getpid), 0);
  cr_assert_eq (errno_under (prog, probe_i386_add_key), ENOSYS);
}
#endif

static char *
write_profile (const char *dir, const char *name, const char *json)
{
  char *path = g_build_filename (dir, name, NULL);
  cr_assert (g_file_set_contents (path, json, -1, NULL));
  return path;
}

static char *
make_tmpdir (void)
{
  char *dir = g_dir_make_tmp ("podunit-seccomp-XXXXXX", NULL);
  cr_assert_not_null (dir);
  return dir;
}

static void
rm_rf (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  cr_assert_eq (system (cmd), 0);
}

static long
probe_getppid (void)
{
  return syscall (SYS_getppid);
}

/* Compiles @json as a user's profile file. */
static SeccompProgram *
prepare_json (const char *json, guint64 caps)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = write_profile (dir, "p.json", json);
  g_autoptr (GError) error = NULL;
  SeccompProgram *prog = seccomp_program_prepare (path, caps, NULL, &error);
  rm_rf (dir);
  cr_assert_not_null (prog, "%s", error ? error->message : "");
  return prog;
}

Test (seccomp, user_profile_rules)
{
  /* Default allow; getppid fails with errno 42; a rule for a future kernel
   * is skipped; add_key fails unless the container has CAP_SYS_ADMIN. */
  const char *json
      = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"architecture\": "
        "\"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\"]}],"
        " \"syscalls\": ["
        " {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42},"
        " {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"minKernel\": "
        "\"99.0\"}},"
        " {\"names\": [\"add_key\"], \"action\": \"SCMP_ACT_ERRNO\", \"excludes\": {\"caps\": "
        "[\"CAP_SYS_ADMIN\"]}}"
        "]}";
  g_autoptr (SeccompProgram) prog = prepare_json (json, 0);
  g_autoptr (SeccompProgram) admin = prepare_json (json, BIT (CAP_SYS_ADMIN));
  cr_assert_eq (errno_under (prog, probe_getppid), 42);
  cr_assert_eq (errno_under (prog, probe_getpid), 0);
  cr_assert_eq (errno_under (prog, probe_add_key), EPERM);
  cr_assert_eq (errno_under (admin, probe_add_key), 0);
}

Test (seccomp, same_argument_twice_means_either)
{
  g_autoptr (SeccompProgram) prog = prepare_json (
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
      " {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 7, \"args\": ["
      "  {\"index\": 0, \"value\": 4194304, \"op\": \"SCMP_CMP_EQ\"},"
      "  {\"index\": 0, \"value\": 4294967295, \"op\": \"SCMP_CMP_EQ\"}]}]}",
      0);
  cr_assert_eq (errno_under (prog, probe_personality_query), 7);
  cr_assert_eq (errno_under (prog, probe_personality_exec), 7);
  cr_assert_eq (errno_under (prog, probe_getppid), 0);
}

static void
assert_profile_error (const char *json, int code, const char *needle)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = write_profile (dir, "bad.json", json);
  g_autoptr (GError) error = NULL;
  g_autoptr (SeccompProgram) prog = seccomp_program_prepare (path, CAPS_DEFAULT_MASK, dir, &error);
  cr_assert_null (prog);
  cr_assert (g_error_matches (error, SECCOMP_PROFILE_ERROR, code), "%s", error->message);
  cr_assert (g_str_has_prefix (error->message, path), "no file name in: %s", error->message);
  cr_assert (strstr (error->message, needle) != NULL, "'%s' not in: %s", needle, error->message);
  rm_rf (dir);
}

Test (seccomp, profile_errors_name_file_and_entry)
{
  assert_profile_error ("{\"defaultAction\": ", SECCOMP_PROFILE_ERROR_INVALID, ":");
  assert_profile_error ("[1, 2]", SECCOMP_PROFILE_ERROR_INVALID, "not a JSON object");
  assert_profile_error ("{\"defaultAction\": \"SCMP_ACT_NOPE\"}", SECCOMP_PROFILE_ERROR_INVALID,
                        "unknown action 'SCMP_ACT_NOPE'");
  assert_profile_error (
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
      "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"},"
      "{\"names\": [\"write\", \"nosuchcall\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
      SECCOMP_PROFILE_ERROR_INVALID, "syscalls[1]: unknown syscall 'nosuchcall'");
  assert_profile_error ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                        "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
                        " \"includes\": {\"caps\": [\"CAP_FLY\"]}}]}",
                        SECCOMP_PROFILE_ERROR_INVALID, "syscalls[0]: unknown capability 'CAP_FLY'");
  assert_profile_error (
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"]}",
      SECCOMP_PROFILE_ERROR_INVALID, "unknown architecture 'SCMP_ARCH_Z80'");
  assert_profile_error ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                        "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
                        "{\"index\": 9, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                        SECCOMP_PROFILE_ERROR_INVALID,
                        "syscalls[0]: argument index is not a number from 0 to 5");
  assert_profile_error ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                        "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
                        "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ABOUT\"}]}]}",
                        SECCOMP_PROFILE_ERROR_INVALID, "unknown operator 'SCMP_CMP_ABOUT'");
}

/* Wrong JSON types anywhere give an error, not a crash or a warning. */
Test (seccomp, profile_with_wrong_types)
{
  assert_profile_error ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [42]}",
                        SECCOMP_PROFILE_ERROR_INVALID, "syscalls[0]: not an object");
  assert_profile_error ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                        "{\"names\": [\"read\", {}], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                        SECCOMP_PROFILE_ERROR_INVALID, "syscalls[0]: names[1] is not a string");
  assert_profile_error ("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": \"x\"}",
                        SECCOMP_PROFILE_ERROR_INVALID, "defaultErrnoRet is not an errno number");
  assert_profile_error ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                        "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
                        "{\"index\": 0, \"value\": [], \"op\": \"SCMP_CMP_EQ\"}]}]}",
                        SECCOMP_PROFILE_ERROR_INVALID,
                        "syscalls[0]: argument value is not a number");
  assert_profile_error ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [7]}",
                        SECCOMP_PROFILE_ERROR_INVALID, "archMap[0]: no architecture");
}

Test (seccomp, missing_profile_file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SeccompProgram) prog
      = seccomp_program_prepare ("/nonexistent/podunit.json", 0, NULL, &error);
  cr_assert_null (prog);
  cr_assert (g_error_matches (error, SECCOMP_PROFILE_ERROR, SECCOMP_PROFILE_ERROR_IO));
  cr_assert (strstr (error->message, "/nonexistent/podunit.json") != NULL, "%s", error->message);
}

static SeccompProgram *
prepare_timed (const char *dir, guint64 caps, gint64 *usec)
{
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  SeccompProgram *prog = seccomp_program_prepare (NULL, caps, dir, &error);
  *usec = g_get_monotonic_time () - start;
  cr_assert_not_null (prog, "%s", error ? error->message : "");
  return prog;
}

static char *
only_cache_file (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;
  cr_assert_not_null (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      cr_assert_null (found, "more than one file in the cache: %s", name);
      cr_assert (g_str_has_suffix (name, ".bpf"), "%s", name);
      found = g_build_filename (dir, name, NULL);
    }
  cr_assert_not_null (found);
  return found;
}

Test (seccomp, cache_is_hit_the_second_time)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *cache = g_build_filename (dir, "seccomp", NULL);
  gint64 compile_us, cached_us;
  g_autoptr (SeccompProgram) first = prepare_timed (cache, CAPS_DEFAULT_MASK, &compile_us);
  g_autoptr (SeccompProgram) second = prepare_timed (cache, CAPS_DEFAULT_MASK, &cached_us);
  cr_log_info ("seccomp: compile %" G_GINT64_FORMAT " us, cached load %" G_GINT64_FORMAT " us",
               compile_us, cached_us);
  cr_assert_not (seccomp_program_from_cache (first));
  cr_assert (seccomp_program_from_cache (second));
  cr_assert_eq (seccomp_program_length (first), seccomp_program_length (second));
  cr_assert_eq (errno_under (second, probe_add_key), ENOSYS);
  cr_assert_eq (errno_under (second, probe_status), 0);
  g_autofree char *file = only_cache_file (cache);
  /* Other capabilities, other program. */
  g_autoptr (SeccompProgram) ptrace
      = prepare_timed (cache, CAPS_DEFAULT_MASK | BIT (CAP_SYS_PTRACE), &compile_us);
  cr_assert_not (seccomp_program_from_cache (ptrace));
  cr_assert_eq (errno_under (ptrace, probe_kcmp), 0);
  rm_rf (dir);
}

static void
corrupt_and_recover (void (*damage) (const char *file))
{
  g_autofree char *dir = make_tmpdir ();
  gint64 usec;
  g_autoptr (SeccompProgram) first = prepare_timed (dir, CAPS_DEFAULT_MASK, &usec);
  g_autofree char *file = only_cache_file (dir);
  damage (file);
  g_autoptr (SeccompProgram) rebuilt = prepare_timed (dir, CAPS_DEFAULT_MASK, &usec);
  cr_assert_not (seccomp_program_from_cache (rebuilt), "a damaged cache file was used");
  cr_assert_eq (seccomp_program_length (rebuilt), seccomp_program_length (first));
  g_autoptr (SeccompProgram) again = prepare_timed (dir, CAPS_DEFAULT_MASK, &usec);
  cr_assert (seccomp_program_from_cache (again), "the cache file was not rewritten");
  cr_assert_eq (errno_under (again, probe_add_key), ENOSYS);
  rm_rf (dir);
}

static void
flip_a_byte (const char *file)
{
  g_autofree char *data = NULL;
  gsize len;
  cr_assert (g_file_get_contents (file, &data, &len, NULL));
  data[len - 3] ^= 0x40;
  cr_assert (g_file_set_contents (file, data, len, NULL));
}

static void
truncate_it (const char *file)
{
  cr_assert_eq (truncate (file, 100), 0);
}

Test (seccomp, corrupted_cache_is_rebuilt) { corrupt_and_recover (flip_a_byte); }

Test (seccomp, truncated_cache_is_rebuilt) { corrupt_and_recover (truncate_it); }

Test (seccomp, default_profile_text)
{
  g_autoptr (GBytes) bytes = seccomp_default_profile ();
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  cr_assert (strstr (text, "\"defaultErrnoRet\": 38") != NULL);
  cr_assert (strstr (text, "SCMP_ARCH_X32") != NULL);
}
