/* SPDX-License-Identifier: Apache-2.0 */
/* supervisor/args.c: what launch.c writes is what the supervisor reads,
 * every field by name; bad argument lists are refused with their name. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/supervisor.h"

static int
count (char **argv)
{
  int n = 0;
  while (argv[n])
    n++;
  return n;
}

Test (args, round_trip_by_name)
{
  SupervisorArgs in = {
    .id = "abc123",
    .pid = 4242,
    .out_fd = 5,
    .err_fd = -1,
    .log = "/var/lib/x/ctr.log",
    .state = "/run/x/state.json",
    .lock = "/run/x/lock",
    .started_us = 1704067200123456LL,
    .podunit = "/usr/bin/podunit",
    .rm = 1,
    .cleanup = 1,
    .root = "/var/lib/podunit",
    .runroot = "/run/podunit",
    .name = "web server",
    .tag = "a=b",
    .health_us = 30000000,
    .notify_fd = 7,
    .cgroup = "/sys/fs/cgroup/x",
  }, out;
  char err[128];
  char **argv = supervisor_args_to_argv ("/usr/libexec/podunit-supervisor", &in);

  cr_assert_not_null (argv);
  cr_assert_str_eq (argv[0], "/usr/libexec/podunit-supervisor");
  cr_assert_str_eq (argv[1], "--id=abc123");
  cr_assert_str_eq (argv[2], "--pid=4242");
  for (int i = 1; argv[i]; i++)
    cr_assert (strncmp (argv[i], "--", 2) == 0, "no positional argument: %s", argv[i]);
  cr_assert_eq (supervisor_args_parse (count (argv), argv, &out, err, sizeof err), 0, "%s", err);
  cr_assert_str_eq (out.id, in.id);
  cr_assert_eq (out.pid, 4242);
  cr_assert_eq (out.out_fd, 5);
  cr_assert_eq (out.err_fd, -1);
  cr_assert_str_eq (out.log, in.log);
  cr_assert_str_eq (out.state, in.state);
  cr_assert_str_eq (out.lock, in.lock);
  cr_assert_eq (out.started_us, in.started_us);
  cr_assert_str_eq (out.podunit, in.podunit);
  cr_assert_eq (out.rm, 1);
  cr_assert_eq (out.cleanup, 1);
  cr_assert_str_eq (out.root, in.root);
  cr_assert_str_eq (out.runroot, in.runroot);
  cr_assert_str_eq (out.name, "web server");
  cr_assert_str_eq (out.tag, "a=b", "only the first = splits");
  cr_assert_eq (out.health_us, 30000000);
  cr_assert_eq (out.notify_fd, 7);
  cr_assert_str_eq (out.cgroup, in.cgroup);
  free (argv);
}

Test (args, unset_fields_are_left_out_and_read_back_as_defaults)
{
  SupervisorArgs in = { .id = "abc", .pid = 1, .out_fd = -1, .err_fd = -1, .notify_fd = -1,
                        .state = "s", .lock = "l" }, out;
  char err[128];
  char **argv = supervisor_args_to_argv ("sup", &in);
  for (int i = 0; argv[i]; i++)
    cr_assert (!strstr (argv[i], "--rm") && !strstr (argv[i], "--name")
                   && !strstr (argv[i], "--log="),
               "%s", argv[i]);
  cr_assert_eq (supervisor_args_parse (count (argv), argv, &out, err, sizeof err), 0, "%s", err);
  cr_assert_null (out.log);
  cr_assert_null (out.name);
  cr_assert_null (out.cgroup);
  cr_assert_eq (out.rm, 0);
  cr_assert_eq (out.notify_fd, -1);
  free (argv);
}

Test (args, refused_with_the_argument_named)
{
  SupervisorArgs a;
  char err[128];
  char *positional[] = { "sup", "abc", "42", NULL };
  cr_assert_eq (supervisor_args_parse (3, positional, &a, err, sizeof err), -1);
  cr_assert_str_eq (err, "unknown argument \"abc\"");
  char *missing[] = { "sup", "--id=x", "--pid=1", "--state=s", NULL };
  cr_assert_eq (supervisor_args_parse (4, missing, &a, err, sizeof err), -1);
  cr_assert_str_eq (err, "--lock is missing");
  char *nan[] = { "sup", "--id=x", "--pid=12x", "--state=s", "--lock=l", NULL };
  cr_assert_eq (supervisor_args_parse (5, nan, &a, err, sizeof err), -1);
  cr_assert_str_eq (err, "--pid: not a number: \"12x\"");
  char *flagval[] = { "sup", "--rm=yes", NULL };
  cr_assert_eq (supervisor_args_parse (2, flagval, &a, err, sizeof err), -1);
  char *prefix[] = { "sup", "--i=x", NULL };
  cr_assert_eq (supervisor_args_parse (2, prefix, &a, err, sizeof err), -1, "no prefix match");
}
