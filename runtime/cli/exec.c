/* SPDX-License-Identifier: Apache-2.0 */
/* podunit exec [-i] [-e K=V] [--env-file F] [-u USER] [-w DIR] NAME CMD...:
 * a new process in all the container's namespaces, with the container's
 * capabilities, seccomp filter and limits. */
#include "cli/cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "systemd/cgroup.h"
#include "container/container.h"
#include "container/launch.h"

int
cli_exec (CliGlobal *g, int argc, char **argv)
{
  gboolean interactive = FALSE, tty = FALSE, detach = FALSE, privileged = FALSE;
  g_autofree char *user = NULL, *workdir = NULL;
  g_auto (GStrv) env = NULL, env_file = NULL;
  const GOptionEntry entries[] = {
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &interactive, "Keep stdin open", NULL },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &tty, "Allocate a pseudo-TTY", NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &detach, "Run in the background (not supported yet)", NULL },
    { "privileged", 0, 0, G_OPTION_ARG_NONE, &privileged, "Not supported", NULL },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, "Set an environment variable", NULL },
    { "env-file", 0, 0, G_OPTION_ARG_STRING_ARRAY, &env_file, "Read variables from a file", NULL },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "User[:group]", NULL },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &workdir, "Working directory", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr (ContainerConfig) c = NULL;
  g_autoptr (GPtrArray) envv = g_ptr_array_new_with_free_func (g_free);
  ContainerState st;
  SpawnSpec spec;
  pid_t pid;
  int devnull = -1, master = -1;

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER COMMAND [ARG...]", TRUE))
    return EXIT_PODUNIT;
  if (detach || privileged)
    {
      cli_error ("exec: %s is not supported by podunit yet", detach ? "--detach" : "--privileged");
      return EXIT_PODUNIT;
    }
  if (argc < 3)
    {
      cli_error ("exec: requires at least 2 args");
      return EXIT_PODUNIT;
    }
  id = container_resolve (g->root, argv[1], &error);
  c = id ? container_config_load (g->root, id, &error) : NULL;
  if (!c || !container_state_load (g->runroot, id, &st, &error))
    return cli_fail (error);
  if (st.status != CONTAINER_RUNNING)
    {
      cli_error ("can only create exec sessions on running containers: container state improper");
      return EXIT_PODUNIT;
    }
  if (user)
    {
      g_free (c->user);
      c->user = g_strdup (user);
    }
  if (workdir)
    {
      g_free (c->workdir);
      c->workdir = g_strdup (workdir);
    }
  /* Later values win: the container's, then --env-file, then -e. */
  for (char **e = c->env; e && *e; e++)
    g_ptr_array_add (envv, g_strdup (*e));
  for (char **f = env_file; f && *f; f++)
    {
      g_autofree char *text = NULL;
      g_auto (GStrv) lines = NULL;
      if (!g_file_get_contents (*f, &text, NULL, &error))
        return cli_fail (error);
      lines = g_strsplit (text, "\n", -1);
      for (char **l = lines; *l; l++)
        if (**l && **l != '#' && strchr (*l, '='))
          g_ptr_array_add (envv, g_strdup (*l));
    }
  for (char **e = env; e && *e; e++)
    g_ptr_array_add (envv, strchr (*e, '=') ? g_strdup (*e)
                                            : g_strconcat (*e, "=", g_getenv (*e), NULL));
  /* -t: a terminal type, as podman's exec, unless one is set already */
  gboolean has_term = FALSE;
  for (guint i = 0; i < envv->len; i++)
    has_term = has_term || g_str_has_prefix (envv->pdata[i], "TERM=");
  if (tty && !has_term)
    g_ptr_array_add (envv, g_strdup ("TERM=xterm"));
  g_ptr_array_add (envv, NULL);
  g_strfreev (c->env);
  c->env = (char **) g_ptr_array_free (g_steal_pointer (&envv), FALSE);

  if (!launch_exec_spec (&g->launch, c, &spec, &error))
    return cli_fail (error);
  spec.argv = argv + 2;
  spec.init = FALSE;
  for (int i = 0; i < 3; i++)
    spec.stdio[i] = -1;
  if (!interactive)
    {
      devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      spec.stdio[0] = devnull;
    }
  {
    /* What runs in the container counts against its limits (cgroup.h). */
    g_autofree char *rdir = container_run_dir (g->runroot, id);
    g_autofree char *cgfile = g_build_filename (rdir, "cgroup", NULL);
    /* Rootless, from outside the user's systemd manager (a login shell's
     * session scope), the kernel refuses the move: the user may not write
     * the common ancestor's cgroup.procs (user-UID.slice is root's). The
     * process then runs in the caller's cgroup, as with podman (crun). */
    if (!cgroup_enter_saved (cgfile, getpid (), &error))
      {
        if (!g->rootless || (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                             && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_PERM)))
          return cli_fail (error);
        g_clear_error (&error);
      }
  }
  if (tty)
    spec.tty_master = &master;
  pid = spawn_exec (&spec, st.pid, &error);
  if (pid < 0)
    {
      cli_error ("%s", error->message);
      return error->domain == SPAWN_ERROR ? error->code : EXIT_PODUNIT;
    }
  return spawn_relay (pid, &(SpawnRelay){ .master = master, .input = interactive, .out = -1,
                                          .err = -1, .out_to = 1, .err_to = 2 });
}
