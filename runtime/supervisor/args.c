/* SPDX-License-Identifier: Apache-2.0 */
/* The supervisor's named arguments (supervisor.h): one table for writing
 * and reading them. */
#include "supervisor/supervisor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum
{
  ARG_STR,
  ARG_INT,
  ARG_LONG,
  ARG_FLAG,
} ArgType;

static const struct
{
  const char *name;
  ArgType type;
  size_t offset;
  int required;
} args[] = {
#define A(n, t, f, r) { n, t, offsetof (SupervisorArgs, f), r }
  A ("id", ARG_STR, id, 1),
  A ("pid", ARG_INT, pid, 1),
  A ("out-fd", ARG_INT, out_fd, 0),
  A ("err-fd", ARG_INT, err_fd, 0),
  A ("log", ARG_STR, log, 0),
  A ("state", ARG_STR, state, 1),
  A ("lock", ARG_STR, lock, 1),
  A ("started-us", ARG_LONG, started_us, 0),
  A ("podunit", ARG_STR, podunit, 0),
  A ("rm", ARG_FLAG, rm, 0),
  A ("rmi", ARG_STR, rmi, 0),
  A ("cleanup", ARG_FLAG, cleanup, 0),
  A ("poststop", ARG_FLAG, poststop, 0),
  A ("root", ARG_STR, root, 0),
  A ("runroot", ARG_STR, runroot, 0),
  A ("name", ARG_STR, name, 0),
  A ("tag", ARG_STR, tag, 0),
  A ("health-us", ARG_LONG, health_us, 0),
  A ("notify-fd", ARG_INT, notify_fd, 0),
  A ("cgroup", ARG_STR, cgroup, 0),
  A ("log-size-max", ARG_LONG, log_size_max, 0),
  A ("restart", ARG_INT, restart, 0),
  A ("restart-max", ARG_LONG, restart_max, 0),
  A ("timeout-us", ARG_LONG, timeout_us, 0),
#undef A
};
#define N_ARGS (sizeof args / sizeof *args)

#define FIELD(a, i, T) (*(T *) ((char *) (a) + args[i].offset))

/* "--name=value" for field @i into @out (NULL: just the length); -1 when
 * the field is not written (unset string, false flag). */
static int
format_arg (const SupervisorArgs *a, size_t i, char *out, size_t n)
{
  switch (args[i].type)
    {
    case ARG_STR:
      if (!FIELD (a, i, const char *))
        return -1;
      return snprintf (out, n, "--%s=%s", args[i].name, FIELD (a, i, const char *));
    case ARG_INT:
      return snprintf (out, n, "--%s=%d", args[i].name, FIELD (a, i, int));
    case ARG_LONG:
      return snprintf (out, n, "--%s=%lld", args[i].name, FIELD (a, i, long long));
    case ARG_FLAG:
      return FIELD (a, i, int) ? snprintf (out, n, "--%s", args[i].name) : -1;
    }
  return -1;
}

char **
supervisor_args_to_argv (const char *exe, const SupervisorArgs *a)
{
  size_t bytes = strlen (exe) + 1, count = 2;
  char **argv, *p;

  for (size_t i = 0; i < N_ARGS; i++)
    {
      int len = format_arg (a, i, NULL, 0);
      if (len >= 0)
        {
          bytes += len + 1;
          count++;
        }
    }
  argv = malloc (count * sizeof (char *) + bytes);
  if (!argv)
    return NULL;
  p = (char *) (argv + count);
  count = 0;
  argv[count++] = strcpy (p, exe);
  p += strlen (exe) + 1;
  for (size_t i = 0; i < N_ARGS; i++)
    {
      int len = format_arg (a, i, p, bytes);
      if (len >= 0)
        {
          argv[count++] = p;
          p += len + 1;
        }
    }
  argv[count] = NULL;
  return argv;
}

static int
parse_number (const char *s, long long *out)
{
  char *end;
  errno = 0;
  *out = strtoll (s, &end, 10);
  return *s && !*end && errno == 0 ? 0 : -1;
}

int
supervisor_args_parse (int argc, char **argv, SupervisorArgs *a, char *err, size_t errlen)
{
  int seen[N_ARGS] = { 0 };

  *a = (SupervisorArgs){ .out_fd = -1, .err_fd = -1, .notify_fd = -1 };
  for (int k = 1; k < argc; k++)
    {
      const char *arg = argv[k], *eq = strchr (arg, '=');
      size_t len = eq ? (size_t) (eq - arg) : strlen (arg);
      size_t i;
      long long v;

      for (i = 0; i < N_ARGS; i++)
        if (strncmp (arg, "--", 2) == 0 && len - 2 == strlen (args[i].name)
            && strncmp (arg + 2, args[i].name, len - 2) == 0)
          break;
      if (i == N_ARGS || (args[i].type == ARG_FLAG) != !eq)
        {
          snprintf (err, errlen, "unknown argument \"%s\"", arg);
          return -1;
        }
      seen[i] = 1;
      switch (args[i].type)
        {
        case ARG_STR:
          FIELD (a, i, const char *) = eq + 1;
          break;
        case ARG_FLAG:
          FIELD (a, i, int) = 1;
          break;
        case ARG_INT:
        case ARG_LONG:
          if (parse_number (eq + 1, &v) < 0
              || (args[i].type == ARG_INT && (v < -1 || v > 0x7fffffff)))
            {
              snprintf (err, errlen, "--%s: not a number: \"%s\"", args[i].name, eq + 1);
              return -1;
            }
          if (args[i].type == ARG_INT)
            FIELD (a, i, int) = (int) v;
          else
            FIELD (a, i, long long) = v;
          break;
        }
    }
  for (size_t i = 0; i < N_ARGS; i++)
    if (args[i].required && !seen[i])
      {
        snprintf (err, errlen, "--%s is missing", args[i].name);
        return -1;
      }
  return 0;
}
