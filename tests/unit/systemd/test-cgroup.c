/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup.c against a fake cgroupfs in a temp dir. The fake's make_dir plays
 * the kernel: a new cgroup gets cgroup.procs, cgroup.controllers (what the
 * parent enabled in cgroup.subtree_control) and the interface files of those
 * controllers, so a forgotten "+memory" shows up as a missing memory.max. */
#include <criterion/criterion.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "systemd/cgroup.h"

static char *root;
static gboolean fake_has_kill; /* cgroup.kill, as on Linux >= 5.14 */

static char *
slurp (const char *rel, const char *file)
{
  g_autofree char *path = g_build_filename (root, rel, file, NULL);
  char *c = NULL;
  if (!g_file_get_contents (path, &c, NULL, NULL))
    return NULL;
  return c;
}

static void
put (const char *dir, const char *file, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  cr_assert (g_file_set_contents (path, contents, -1, NULL), "write %s", path);
}

static void
populate (const char *path, const char *controllers)
{
  put (path, "cgroup.procs", "");
  put (path, "cgroup.controllers", controllers);
  put (path, "cgroup.subtree_control", "");
  if (fake_has_kill)
    put (path, "cgroup.kill", "");
  if (strstr (controllers, "memory"))
    {
      put (path, "memory.max", "max\n");
      put (path, "memory.swap.max", "max\n");
      put (path, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
    }
  if (strstr (controllers, "pids"))
    put (path, "pids.max", "max\n");
  if (strstr (controllers, "cpu"))
    {
      put (path, "cpu.max", "max 100000\n");
      put (path, "cpu.weight", "100\n");
    }
}

static int
fake_mkdir (const char *path, gpointer data)
{
  if (mkdir (path, 0755) < 0)
    return -errno;
  /* What the parent enabled ("+memory +pids" as written) becomes ours. */
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *sub = NULL, *ctl = NULL;
  g_autofree char *subpath = g_build_filename (parent, "cgroup.subtree_control", NULL);
  g_file_get_contents (subpath, &sub, NULL, NULL);
  g_auto (GStrv) words = g_strsplit_set (sub ? sub : "", " \n", -1);
  g_autoptr (GString) s = g_string_new (NULL);
  for (char **w = words; *w; w++)
    if (**w)
      g_string_append_printf (s, "%s%s", s->len ? " " : "", **w == '+' ? *w + 1 : *w);
  populate (path, s->str);
  return 0;
}

static int
fake_rmdir (const char *path, gpointer data)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;
  if (!d)
    return -ENOENT;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *f = g_build_filename (path, name, NULL);
      if (g_file_test (f, G_FILE_TEST_IS_DIR))
        return -EBUSY; /* a child cgroup */
      g_unlink (f);
    }
  return rmdir (path) == 0 ? 0 : -errno;
}

static const CgroupFsOps fake_ops = { fake_mkdir, fake_rmdir, NULL };

/* A tree like a systemd host's: the root enables everything, a delegated
 * service cgroup with two processes. */
static void
setup_tree (void)
{
  g_autoptr (GError) error = NULL;
  root = g_dir_make_tmp ("cgroup-XXXXXX", &error);
  cr_assert_not_null (root);
  populate (root, "cpuset cpu io memory hugetlb pids rdma misc");
  put (root, "cgroup.subtree_control", "cpu memory pids");
  g_autofree char *slice = g_build_filename (root, "system.slice", NULL);
  g_autofree char *svc = g_build_filename (root, "system.slice/web.service", NULL);
  cr_assert_eq (fake_mkdir (slice, NULL), 0);
  put (slice, "cgroup.subtree_control", "cpu memory pids");
  cr_assert_eq (fake_mkdir (svc, NULL), 0);
  put (svc, "cgroup.procs", "4242\n4343\n");
}

static void
teardown_tree (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  cr_assert_eq (system (cmd), 0);
  g_clear_pointer (&root, g_free);
  fake_has_kill = FALSE;
}

static CgroupManager *
manager (CgroupMode mode)
{
  CgroupManager *m = cgroup_manager_new (root, CGROUP_VERSION_V2, mode, "system.slice/web.service",
                                         "0123456789abcdef");
  cgroup_manager_set_fs_ops (m, &fake_ops);
  return m;
}

TestSuite (cgroup, .init = setup_tree, .fini = teardown_tree);

Test (cgroup, parse_proc_cgroup_v2_and_hybrid)
{
  g_autofree char *p = NULL, *h = NULL;
  g_autoptr (GError) error = NULL;
  cr_assert (cgroup_parse_proc_cgroup ("0::/system.slice/web.service\n", &p, NULL));
  cr_assert_str_eq (p, "system.slice/web.service");
  cr_assert (cgroup_parse_proc_cgroup ("9:name=systemd:/\n4:memory:/x\n0::/\n", &h, NULL));
  cr_assert_str_eq (h, "");
  char *none = NULL;
  cr_assert_not (cgroup_parse_proc_cgroup ("4:memory:/x\n", &none, &error));
  cr_assert_not_null (error);
}

Test (cgroup, detect_version_of_this_host_and_a_plain_dir)
{
  CgroupVersion v;
  cr_assert (cgroup_detect_version (root, &v, NULL));
  cr_assert_eq (v, CGROUP_VERSION_V1, "a temp dir is no cgroup2 mount");
  if (g_file_test ("/sys/fs/cgroup/cgroup.controllers", G_FILE_TEST_EXISTS))
    {
      cr_assert (cgroup_detect_version ("/sys/fs/cgroup", &v, NULL));
      cr_assert_eq (v, CGROUP_VERSION_V2);
    }
  else if (g_file_test ("/sys/fs/cgroup/unified/cgroup.controllers", G_FILE_TEST_EXISTS))
    {
      cr_assert (cgroup_detect_version ("/sys/fs/cgroup", &v, NULL));
      cr_assert_eq (v, CGROUP_VERSION_HYBRID);
    }
  cr_assert_not (cgroup_detect_version ("/nonexistent-cg", &v, NULL));
}

Test (cgroup, parse_modes_sizes_cpus)
{
  CgroupMode mode;
  gint64 v;
  g_autoptr (GError) error = NULL;
  cr_assert (cgroup_mode_from_string ("split", &mode, NULL));
  cr_assert_eq (mode, CGROUP_MODE_SPLIT);
  cr_assert (cgroup_mode_from_string ("no-conmon", &mode, NULL));
  cr_assert_eq (mode, CGROUP_MODE_NO_CONMON);
  cr_assert_not (cgroup_mode_from_string ("yes", &mode, &error));
  cr_assert (strstr (error->message, "--cgroups"));

  cr_assert (cgroup_parse_memory ("64M", &v, NULL));
  cr_assert_eq (v, 64 << 20);
  cr_assert (cgroup_parse_memory ("1g", &v, NULL));
  cr_assert_eq (v, 1LL << 30);
  cr_assert (cgroup_parse_memory ("512kb", &v, NULL));
  cr_assert_eq (v, 512 << 10);
  cr_assert (cgroup_parse_memory ("1000", &v, NULL));
  cr_assert_eq (v, 1000);
  cr_assert (cgroup_parse_memory ("1.5m", &v, NULL));
  cr_assert_eq (v, 3 << 19);
  /* podman refuses --memory -1 (issue 13: it was taken as unlimited). */
  cr_assert_not (cgroup_parse_memory ("-1", &v, NULL));
  cr_assert_not (cgroup_parse_memory ("-5m", &v, NULL));
  cr_assert_not (cgroup_parse_memory ("64x", &v, NULL));
  cr_assert_not (cgroup_parse_memory ("", &v, NULL));
  cr_assert_not (cgroup_parse_memory ("m", &v, NULL));

  cr_assert (cgroup_parse_cpus ("1.5", &v, NULL));
  cr_assert_eq (v, 150000);
  cr_assert (cgroup_parse_cpus ("0.25", &v, NULL));
  cr_assert_eq (v, 25000);
  cr_assert_not (cgroup_parse_cpus ("0", &v, NULL));
  cr_assert_not (cgroup_parse_cpus ("two", &v, NULL));
  /* Found by tests/fuzz (cli): an empty --cpus read through a NULL end
   * pointer (segfault); NaN and huge values were cast to an integer
   * (undefined behaviour). */
  g_clear_error (&error);
  cr_assert_not (cgroup_parse_cpus ("", &v, &error));
  cr_assert (strstr (error->message, "--cpus"));
  g_clear_error (&error);
  cr_assert_not (cgroup_parse_cpus ("nan", &v, NULL));
  cr_assert_not (cgroup_parse_cpus ("inf", &v, NULL));
  cr_assert_not (cgroup_parse_memory ("nan", &v, NULL));
  cr_assert_not (cgroup_parse_memory ("1e300g", &v, NULL));
}

Test (cgroup, split_moves_everyone_enables_controllers_applies_limits)
{
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_SPLIT);
  g_autoptr (GError) error = NULL;
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  l.memory = 64 << 20;
  l.pids_limit = 50;
  l.cpu_quota = 150000;
  l.cpu_weight = 200;

  cr_assert (cgroup_prepare (m, 4343, &l, &warning, &error), "%s", error ? error->message : "");
  cr_assert_null (warning);

  /* The supervisor first, then everything else of the service. */
  g_autofree char *sup = slurp ("system.slice/web.service/supervisor", "cgroup.procs");
  cr_assert_str_eq (sup, "4343\n4242\n");
  g_autofree char *sub = slurp ("system.slice/web.service", "cgroup.subtree_control");
  cr_assert_str_eq (sub, "+memory +pids +cpu");

  const char *leaf = "system.slice/web.service/container";
  g_autofree char *mem = slurp (leaf, "memory.max");
  g_autofree char *swap = slurp (leaf, "memory.swap.max");
  g_autofree char *pids = slurp (leaf, "pids.max");
  g_autofree char *cpu = slurp (leaf, "cpu.max");
  g_autofree char *weight = slurp (leaf, "cpu.weight");
  cr_assert_str_eq (mem, "67108864");
  cr_assert_str_eq (swap, "67108864", "podman: swap as much as memory by default");
  cr_assert_str_eq (pids, "50");
  cr_assert_str_eq (cpu, "150000 100000");
  cr_assert_str_eq (weight, "200");

  g_autofree char *expect = g_build_filename (root, leaf, NULL);
  cr_assert_str_eq (cgroup_container_path (m), expect);
  cr_assert (cgroup_enter (m, 777, NULL));
  g_autofree char *procs = slurp (leaf, "cgroup.procs");
  cr_assert_str_eq (procs, "777\n");
}

Test (cgroup, default_pids_limit_and_swap_settings)
{
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_SPLIT);
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  l.memory = 100 << 20;
  l.memory_swap = 150 << 20;
  cr_assert (cgroup_prepare (m, 4343, &l, &warning, NULL));
  g_autofree char *pids = slurp ("system.slice/web.service/container", "pids.max");
  g_autofree char *swap = slurp ("system.slice/web.service/container", "memory.swap.max");
  g_autofree char *cpu = slurp ("system.slice/web.service/container", "cpu.max");
  cr_assert_str_eq (pids, "2048");
  cr_assert_str_eq (swap, "52428800", "--memory-swap is memory plus swap");
  cr_assert_str_eq (cpu, "max 100000\n", "untouched without --cpus");

  g_autoptr (CgroupManager) m2 = cgroup_manager_new (root, CGROUP_VERSION_V2, CGROUP_MODE_SPLIT,
                                                     "system.slice/web.service", "x");
  cgroup_manager_set_fs_ops (m2, &fake_ops);
  CgroupLimits u = CGROUP_LIMITS_INIT;
  u.memory = 1 << 20;
  u.memory_swap = CGROUP_UNLIMITED;
  u.pids_limit = 0;
  cr_assert (cgroup_prepare (m2, 4343, &u, &warning, NULL));
  g_autofree char *pids2 = slurp ("system.slice/web.service/container", "pids.max");
  g_autofree char *swap2 = slurp ("system.slice/web.service/container", "memory.swap.max");
  cr_assert_str_eq (pids2, "max", "--pids-limit 0 is unlimited");
  cr_assert_str_eq (swap2, "max");
}

Test (cgroup, controller_not_delegated_warns_and_runs)
{
  /* A service without Delegate=: no controllers handed down. */
  g_autofree char *svc = g_build_filename (root, "system.slice/web.service", NULL);
  put (svc, "cgroup.controllers", "");
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_SPLIT);
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  l.memory = 64 << 20;
  l.pids_limit = 10;
  cr_assert (cgroup_prepare (m, 1, &l, &warning, NULL));
  cr_assert_not_null (warning);
  cr_assert (strstr (warning, "--memory, --pids-limit not applied"), "%s", warning);
  g_autofree char *mem = slurp ("system.slice/web.service/container", "memory.max");
  cr_assert_null (mem);
}

Test (cgroup, enabled_uses_podunit_slice_at_the_root)
{
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_ENABLED);
  g_autofree char *warning = NULL;
  g_autoptr (GError) error = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  l.memory = 32 << 20;
  cr_assert (cgroup_prepare (m, 999, &l, &warning, &error), "%s", error ? error->message : "");
  cr_assert_null (warning);
  g_autofree char *sup = slurp ("podunit.slice/podunit-conmon-0123456789abcdef", "cgroup.procs");
  cr_assert_str_eq (sup, "999\n");
  g_autofree char *sub = slurp ("podunit.slice", "cgroup.subtree_control");
  cr_assert_str_eq (sub, "+memory +pids +cpu");
  g_autofree char *mem = slurp ("podunit.slice/podunit-0123456789abcdef", "memory.max");
  cr_assert_str_eq (mem, "33554432");
  /* The service's own cgroup is left alone. */
  g_autofree char *own = slurp ("system.slice/web.service", "cgroup.procs");
  cr_assert_str_eq (own, "4242\n4343\n");

  /* Cleanup removes both leaves; the slice stays for other containers. */
  cr_assert (cgroup_cleanup (m, &error), "%s", error ? error->message : "");
  g_autofree char *c = g_build_filename (root, "podunit.slice/podunit-0123456789abcdef", NULL);
  g_autofree char *s = g_build_filename (root, "podunit.slice/podunit-conmon-0123456789abcdef", NULL);
  g_autofree char *slice = g_build_filename (root, "podunit.slice", NULL);
  cr_assert_not (g_file_test (c, G_FILE_TEST_EXISTS));
  cr_assert_not (g_file_test (s, G_FILE_TEST_EXISTS));
  cr_assert (g_file_test (slice, G_FILE_TEST_IS_DIR));
}

/* A detached start forks the supervisor right into its leaf
 * (cgroup_supervisor_open); the supervisor's own manager then finds it
 * there and writes no cgroup.procs (an RCU grace period). */
Test (cgroup, supervisor_born_in_its_leaf_is_not_moved)
{
  g_autoptr (CgroupManager) ahead = manager (CGROUP_MODE_ENABLED);
  g_autoptr (GError) error = NULL;
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  int fd = cgroup_supervisor_open (ahead);
  cr_assert_geq (fd, 0);
  close (fd);
  g_autoptr (CgroupManager) m = cgroup_manager_new (root, CGROUP_VERSION_V2, CGROUP_MODE_ENABLED,
                                                    "podunit.slice/podunit-conmon-0123456789abcdef",
                                                    "0123456789abcdef");
  cgroup_manager_set_fs_ops (m, &fake_ops);
  cr_assert (cgroup_prepare (m, 999, &l, &warning, &error), "%s", error ? error->message : "");
  g_autofree char *sup = slurp ("podunit.slice/podunit-conmon-0123456789abcdef", "cgroup.procs");
  cr_assert_str_eq (sup, "", "not moved again");
  g_autofree char *sub = slurp ("podunit.slice", "cgroup.subtree_control");
  cr_assert_str_eq (sub, "+memory +pids +cpu");
  g_autofree char *pids = slurp ("podunit.slice/podunit-0123456789abcdef", "pids.max");
  cr_assert_str_eq (pids, "2048");

  /* Only where the leaf's place does not depend on the own cgroup. */
  g_autoptr (CgroupManager) split = manager (CGROUP_MODE_SPLIT);
  g_autoptr (CgroupManager) noconmon = manager (CGROUP_MODE_NO_CONMON);
  cr_assert_eq (cgroup_supervisor_open (split), -1);
  cr_assert_eq (cgroup_supervisor_open (noconmon), -1);
  /* A leaf that exists is another supervisor's. */
  cr_assert_eq (cgroup_supervisor_open (ahead), -1);
}

Test (cgroup, no_conmon_leaves_the_supervisor)
{
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_NO_CONMON);
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  cr_assert (cgroup_prepare (m, 999, &l, &warning, NULL));
  cr_assert_null (cgroup_supervisor_path (m));
  g_autofree char *pids = slurp ("podunit.slice/podunit-0123456789abcdef", "pids.max");
  cr_assert_str_eq (pids, "2048");
  g_autofree char *slice = g_build_filename (root, "podunit.slice", NULL);
  g_autoptr (GDir) d = g_dir_open (slice, 0, NULL);
  int dirs = 0;
  for (const char *n; (n = g_dir_read_name (d));)
    if (g_str_has_prefix (n, "podunit-"))
      dirs++;
  cr_assert_eq (dirs, 1, "only the container's cgroup");
}

Test (cgroup, disabled_and_v1_touch_nothing)
{
  g_autoptr (CgroupManager) d = manager (CGROUP_MODE_DISABLED);
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  l.memory = 1 << 20;
  cr_assert (cgroup_prepare (d, 1, &l, &warning, NULL));
  cr_assert_null (warning);
  cr_assert_null (cgroup_container_path (d));
  cr_assert (cgroup_enter (d, 1, NULL));

  g_autoptr (CgroupManager) v1 = cgroup_manager_new (root, CGROUP_VERSION_HYBRID, CGROUP_MODE_SPLIT,
                                                     "system.slice/web.service", "x");
  cr_assert (cgroup_prepare (v1, 1, &l, &warning, NULL));
  cr_assert_str_eq (warning, "cgroup v2 not available: --memory/--pids-limit/--cpus not applied");
  g_autofree char *leaf = g_build_filename (root, "system.slice/web.service/container", NULL);
  cr_assert_not (g_file_test (leaf, G_FILE_TEST_EXISTS));
  g_clear_pointer (&warning, g_free);
  /* Only requested limits warn: podman's default pids limit is silent. */
  CgroupLimits none = CGROUP_LIMITS_INIT;
  cr_assert (cgroup_prepare (v1, 1, &none, &warning, NULL));
  cr_assert_null (warning);
  cr_assert (cgroup_cleanup (v1, NULL));
}

Test (cgroup, oom_kill_counter)
{
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_SPLIT);
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  guint64 n = 99;
  cr_assert (cgroup_prepare (m, 1, &l, &warning, NULL));
  cr_assert (cgroup_oom_kills (m, &n, NULL));
  cr_assert_eq (n, 0);
  g_autofree char *leaf = g_build_filename (root, "system.slice/web.service/container", NULL);
  put (leaf, "memory.events", "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n");
  cr_assert (cgroup_oom_kills (m, &n, NULL));
  cr_assert_eq (n, 1);
}

static pid_t
sleeper (void)
{
  pid_t pid = fork ();
  cr_assert_geq (pid, 0);
  if (pid == 0)
    {
      execlp ("sleep", "sleep", "30", NULL);
      _exit (127);
    }
  return pid;
}

Test (cgroup, cleanup_kills_leftovers_by_pid_and_removes_leaf)
{
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_SPLIT);
  g_autoptr (GError) error = NULL;
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  int status;
  cr_assert (cgroup_prepare (m, getpid (), &l, &warning, NULL));
  pid_t child = sleeper ();
  cr_assert (cgroup_enter (m, child, NULL));

  cr_assert (cgroup_cleanup (m, &error), "%s", error ? error->message : "");
  cr_assert_eq (waitpid (child, &status, 0), child);
  cr_assert (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  g_autofree char *leaf = g_build_filename (root, "system.slice/web.service/container", NULL);
  cr_assert_not (g_file_test (leaf, G_FILE_TEST_EXISTS));
  /* The supervisor leaf belongs to the unit: systemd removes it. A second
   * cleanup (ExecStopPost after a crash) is harmless. */
  cr_assert (cgroup_cleanup (m, NULL));
}

/* rmdir that first checks cleanup wrote cgroup.kill. */
static int
rmdir_after_kill (const char *path, gpointer data)
{
  g_autofree char *c = NULL;
  g_autofree char *kf = g_build_filename (path, "cgroup.kill", NULL);
  g_file_get_contents (kf, &c, NULL, NULL);
  if (g_str_has_suffix (path, "/container"))
    cr_assert_str_eq (c, "1", "cgroup.kill written before rmdir");
  else
    cr_assert_str_eq (c, "", "the supervisor's leaf is not killed");
  return fake_rmdir (path, data);
}

Test (cgroup, cleanup_uses_cgroup_kill_when_present)
{
  fake_has_kill = TRUE;
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_SPLIT);
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  cr_assert (cgroup_prepare (m, 1, &l, &warning, NULL));
  g_autofree char *leaf = g_strdup (cgroup_container_path (m));
  CgroupFsOps ops = { fake_mkdir, rmdir_after_kill, NULL };
  cgroup_manager_set_fs_ops (m, &ops);
  cr_assert (cgroup_cleanup (m, NULL));
  cr_assert_not (g_file_test (leaf, G_FILE_TEST_EXISTS));
}

/* The kernel's side: rmdir is EBUSY while cgroup.events says populated. */
static int
rmdir_when_unpopulated (const char *path, gpointer data)
{
  g_autofree char *ev = g_build_filename (path, "cgroup.events", NULL);
  g_autofree char *c = NULL;
  if (g_file_get_contents (ev, &c, NULL, NULL) && strstr (c, "populated 1"))
    return -EBUSY;
  return fake_rmdir (path, data);
}

/* The last process leaves the container's cgroup a moment after the kill. */
static gpointer
last_process_leaves (gpointer events_path)
{
  g_usleep (150000);
  g_file_set_contents (events_path, "populated 0\nfrozen 0\n", -1, NULL);
  return NULL;
}

Test (cgroup, cleanup_waits_for_the_last_process_to_leave)
{
  fake_has_kill = TRUE;
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_SPLIT);
  g_autoptr (GError) error = NULL;
  g_autofree char *warning = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  cr_assert (cgroup_prepare (m, 1, &l, &warning, NULL));
  g_autofree char *leaf = g_strdup (cgroup_container_path (m));
  g_autofree char *events = g_build_filename (leaf, "cgroup.events", NULL);
  put (leaf, "cgroup.events", "populated 1\nfrozen 0\n");
  CgroupFsOps ops = { fake_mkdir, rmdir_when_unpopulated, NULL };
  cgroup_manager_set_fs_ops (m, &ops);
  GThread *t = g_thread_new ("kernel", last_process_leaves, events);
  gint64 start = g_get_monotonic_time ();
  cr_assert (cgroup_cleanup (m, &error), "%s", error ? error->message : "");
  g_thread_join (t);
  cr_assert_geq (g_get_monotonic_time () - start, 100000, "not removed before it was empty");
  cr_assert_not (g_file_test (leaf, G_FILE_TEST_EXISTS));

  /* Never empty: one clear error naming the cgroup, after the bound. */
  g_autoptr (CgroupManager) m2 = manager (CGROUP_MODE_SPLIT);
  g_autoptr (GError) error2 = NULL;
  cr_assert (cgroup_prepare (m2, 1, &l, &warning, NULL));
  g_autofree char *leaf2 = g_strdup (cgroup_container_path (m2));
  put (leaf2, "cgroup.events", "populated 1\nfrozen 0\n");
  cgroup_manager_set_fs_ops (m2, &ops);
  cr_assert_not (cgroup_cleanup (m2, &error2));
  cr_assert (strstr (error2->message, leaf2) && strstr (error2->message, "busy"), "%s",
             error2->message);
}

Test (cgroup, saved_for_a_later_cleanup)
{
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_SPLIT);
  g_autofree char *warning = NULL;
  g_autoptr (GError) error = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  cr_assert (cgroup_prepare (m, 1, &l, &warning, NULL));
  g_autofree char *file = g_build_filename (root, "saved", NULL);
  cr_assert (cgroup_manager_save (m, file, &error), "%s", error ? error->message : "");

  /* `podunit rm` from ExecStopPost: another process, another cgroup. */
  g_autoptr (CgroupManager) again = cgroup_manager_load (file, &error);
  cr_assert_not_null (again, "%s", error ? error->message : "");
  cr_assert_str_eq (cgroup_container_path (again), cgroup_container_path (m));
  cgroup_manager_set_fs_ops (again, &fake_ops);
  cr_assert (cgroup_cleanup (again, NULL));
  cr_assert_not (g_file_test (cgroup_container_path (m), G_FILE_TEST_EXISTS));

  /* exec and health checks join the container's cgroup. */
  g_autofree char *again_path = g_strdup (cgroup_container_path (m));
  g_autoptr (CgroupManager) re = manager (CGROUP_MODE_SPLIT);
  cr_assert (cgroup_prepare (re, 1, &l, &warning, NULL));
  cr_assert (cgroup_enter_saved (file, 4711, NULL));
  g_autofree char *procs = slurp ("system.slice/web.service/container", "cgroup.procs");
  cr_assert_str_eq (procs, "4711\n");
  g_autofree char *none = g_build_filename (root, "none", NULL);
  cr_assert (cgroup_enter_saved (none, 4711, NULL), "nothing recorded: nothing to do");
  g_autoptr (GError) nerr = NULL;
  cr_assert_null (cgroup_manager_load (none, &nerr));
  cr_assert_null (nerr, "no file: nothing to clean, no error");
}

/* pause: cgroup v2 freezes the container's cgroup, waiting for
 * cgroup.events to say so (the fake kernel answers at once). */
Test (cgroup, freeze_v2_writes_cgroup_freeze)
{
  g_autoptr (CgroupManager) m = manager (CGROUP_MODE_ENABLED);
  g_autofree char *warning = NULL;
  g_autoptr (GError) error = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  cr_assert (cgroup_prepare (m, 999, &l, &warning, &error));
  cr_assert_not (cgroup_freeze (m, TRUE, &error), "no cgroup.freeze: an error");
  g_clear_error (&error);
  g_autofree char *leaf = g_build_filename (root, "podunit.slice/podunit-0123456789abcdef", NULL);
  put (leaf, "cgroup.freeze", "0\n");
  put (leaf, "cgroup.events", "populated 1\nfrozen 1\n");
  cr_assert (cgroup_freeze (m, TRUE, &error), "%s", error ? error->message : "");
  g_autofree char *f1 = slurp ("podunit.slice/podunit-0123456789abcdef", "cgroup.freeze");
  cr_assert_str_eq (f1, "1");
  put (leaf, "cgroup.events", "populated 1\nfrozen 0\n");
  cr_assert (cgroup_freeze (m, FALSE, &error), "%s", error ? error->message : "");
  g_autofree char *f0 = slurp ("podunit.slice/podunit-0123456789abcdef", "cgroup.freeze");
  cr_assert_str_eq (f0, "0");
}

/* On a v1 or hybrid host the container gets a leaf in the freezer
 * hierarchy (where it is mounted): entered at start, FROZEN by pause,
 * removed by cleanup. */
Test (cgroup, freeze_v1_uses_a_freezer_leaf)
{
  g_autoptr (CgroupManager) m = cgroup_manager_new (root, CGROUP_VERSION_HYBRID,
                                                    CGROUP_MODE_ENABLED, NULL, "c0ffee");
  g_autofree char *warning = NULL;
  g_autoptr (GError) error = NULL;
  CgroupLimits l = CGROUP_LIMITS_INIT;
  g_autofree char *top = g_build_filename (root, "freezer", NULL);
  g_autofree char *leaf = g_build_filename (root, "freezer/podunit.slice/podunit-c0ffee", NULL);
  cgroup_manager_set_fs_ops (m, &fake_ops);
  cr_assert_eq (g_mkdir (top, 0755), 0);
  cr_assert (cgroup_prepare (m, 1, &l, &warning, &error), "%s", error ? error->message : "");
  cr_assert (g_file_test (leaf, G_FILE_TEST_IS_DIR));
  put (leaf, "freezer.state", "THAWED\n");
  cr_assert (cgroup_enter (m, 4242, &error), "%s", error ? error->message : "");
  g_autofree char *procs = slurp ("freezer/podunit.slice/podunit-c0ffee", "cgroup.procs");
  cr_assert_str_eq (procs, "4242\n");
  cr_assert (cgroup_freeze (m, TRUE, &error), "%s", error ? error->message : "");
  g_autofree char *state = slurp ("freezer/podunit.slice/podunit-c0ffee", "freezer.state");
  cr_assert_str_eq (state, "FROZEN");
  put (leaf, "cgroup.procs", ""); /* (no real pid for cleanup to kill) */
  cr_assert (cgroup_cleanup (m, &error), "%s", error ? error->message : "");
  cr_assert_not (g_file_test (leaf, G_FILE_TEST_EXISTS));
}
