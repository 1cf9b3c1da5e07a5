/* SPDX-License-Identifier: Apache-2.0 */
/* podunit as the OCI runtime podman users name: `--runtime`, the global
 * `--runtime-flag` and containers.conf's [engine.runtimes_flags] (cli.h). */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "sandbox/spawn.h"

char *
cli_runtime_path (void)
{
  return g_file_read_link ("/proc/self/exe", NULL);
}

/* The same bytes as the running podunit. */
static gboolean
same_program (const char *path, const char *self)
{
  autofd int a = open (path, O_RDONLY | O_CLOEXEC);
  autofd int b = open (self, O_RDONLY | O_CLOEXEC);
  struct stat sa, sb;
  void *ma, *mb;
  gboolean same;

  if (a < 0 || b < 0 || fstat (a, &sa) < 0 || fstat (b, &sb) < 0 || !S_ISREG (sa.st_mode)
      || sa.st_size != sb.st_size)
    return FALSE;
  if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
    return TRUE;
  if (sa.st_size == 0)
    return TRUE;
  ma = mmap (NULL, sa.st_size, PROT_READ, MAP_PRIVATE, a, 0);
  mb = mmap (NULL, sb.st_size, PROT_READ, MAP_PRIVATE, b, 0);
  same = ma != MAP_FAILED && mb != MAP_FAILED && memcmp (ma, mb, sa.st_size) == 0;
  if (ma != MAP_FAILED)
    munmap (ma, sa.st_size);
  if (mb != MAP_FAILED)
    munmap (mb, sb.st_size);
  return same;
}

gboolean
cli_runtime_is_namesake (const char *runtime)
{
  g_autofree char *base = runtime ? g_path_get_basename (runtime) : NULL;
  return base && (g_str_equal (base, "crun") || g_str_equal (base, "runc"));
}

gboolean
cli_runtime_check (const char *runtime, GError **error)
{
  g_autofree char *self = NULL;

  if (!runtime || g_str_equal (runtime, "podunit"))
    return TRUE;
  if (cli_runtime_is_namesake (runtime))
    {
      cli_warn ("--runtime %s: podunit runs the container itself, with the OCI runtime's "
                "semantics crun and runc share; the flag is ignored",
                runtime);
      return TRUE;
    }
  if (!strchr (runtime, '/'))
    return g_set_error (error, SPAWN_ERROR, EXIT_PODUNIT,
                        "--runtime %s: podunit is its own OCI runtime: give podunit or the path "
                        "of a podunit program",
                        runtime),
           FALSE;
  self = cli_runtime_path ();
  if (access (runtime, X_OK) < 0)
    return g_set_error (error, SPAWN_ERROR, EXIT_PODUNIT, "--runtime %s: %s", runtime,
                        g_strerror (errno)),
           FALSE;
  if (!self || !same_program (runtime, self))
    return g_set_error (error, SPAWN_ERROR, EXIT_PODUNIT,
                        "--runtime %s: not this podunit (%s): podunit is its own OCI runtime and "
                        "runs only as itself",
                        runtime, self ? self : "?"),
           FALSE;
  return TRUE;
}

/* One flag as podman passes it (without the leading "--"). */
static gboolean
runtime_flag (const char *flag, const char *from, GError **error)
{
  CliLogLevel level;
  const char *name;
  if (g_str_equal (flag, "debug"))
    {
      cli_log_level = MAX (cli_log_level, LOG_LEVEL_DEBUG);
      return TRUE;
    }
  if (g_str_has_prefix (flag, "log-level=") && cli_parse_log_level (flag + 10, &level, &name))
    {
      cli_log_level = level;
      return TRUE;
    }
  return g_set_error (error, SPAWN_ERROR, EXIT_CANNOT_INVOKE,
                      "%s: podunit, the OCI runtime, has no flag --%s (it takes debug and "
                      "log-level=LEVEL)",
                      from, flag),
         FALSE;
}

gboolean
cli_runtime_flags_apply (CliGlobal *g, char **conf_flags, GError **error)
{
  for (char **f = conf_flags; f && *f; f++)
    if (!runtime_flag (*f, "containers.conf [engine.runtimes_flags] podunit", error))
      return FALSE;
  for (char **f = g->runtime_flags; f && *f; f++)
    {
      g_autofree char *from = g_strdup_printf ("--runtime-flag %s", *f);
      if (!runtime_flag (*f, from, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
cli_runtime_flags_check (CliGlobal *g, GError **error)
{
  return cli_runtime_flags_apply (g, g->conf.runtime_flags, error);
}
