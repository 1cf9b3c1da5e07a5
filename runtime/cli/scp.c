/* SPDX-License-Identifier: Apache-2.0 */
/* podunit image scp [-q] [--format docker-archive|oci-archive] SOURCE [DEST]
 *
 * podman's image scp between the stores of this machine's users: SOURCE is
 * IMAGE or USER@localhost::IMAGE, DEST USER@localhost::[NAME] or, after a
 * USER@localhost:: source, a NAME to tag the copy with. As podman does, the
 * image is saved by `podunit save` run as the source user into a private
 * file and loaded by `podunit load` run as the destination user (the global
 * flags given before the verb passed to both, but for --root and --runroot:
 * those name the caller's store, another user works on their own), then
 * tagged. The other user's XDG_RUNTIME_DIR is /run/user/UID when it exists. Another host
 * (HOST::) would need ssh and a Podman service there: refused, named. */
#include "cli/cli.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  char *user;  /* USER of USER@localhost::, or NULL */
  char *image; /* the image (a source) or the new name (a destination) */
  gboolean remote;
} ScpLocation;

static void
location_clear (ScpLocation *l)
{
  g_free (l->user);
  g_free (l->image);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ScpLocation, location_clear)

static void
parse_location (const char *arg, ScpLocation *l)
{
  const char *sep = strstr (arg, "::");
  const char *at = strstr (arg, "@localhost::");
  if (at)
    {
      l->user = g_strndup (arg, strchr (arg, '@') - arg);
      l->image = g_strdup (at + strlen ("@localhost::"));
    }
  else if (sep)
    {
      l->remote = TRUE;
      l->image = g_strdup (sep + 2);
    }
  else
    l->image = g_strdup (arg);
}

/* USER by name or uid (podman takes "uid:gid" too, the uid counting). */
static struct passwd *
lookup_user (const char *spec, GError **error)
{
  g_autofree char *name = g_strndup (spec, strcspn (spec, ":"));
  struct passwd *pw = getpwnam (name);
  char *end;
  unsigned long uid = strtoul (name, &end, 10);
  if (!pw && *name && !*end)
    pw = getpwuid ((uid_t) uid);
  if (!pw)
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "image scp: no such user %s", name);
  return pw;
}

typedef struct {
  uid_t uid;
  gid_t gid;
  const char *name;
} RunAs;

static void
become (gpointer data)
{
  RunAs *r = data;
  if (getuid () == r->uid && geteuid () == r->uid)
    return;
  if (initgroups (r->name, r->gid) < 0 || setgid (r->gid) < 0 || setuid (r->uid) < 0)
    _exit (125);
}

/* Runs podunit (this binary) as @pw with the global flags and @args, in a
 * cleared environment as podman does (a user's session directory kept);
 * with @out its standard output is captured (and echoed). */
static gboolean
run_as (CliGlobal *g, struct passwd *pw, const char *const *args, char **out, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", error);
  g_autofree char *run_dir = g_strdup_printf ("/run/user/%u", (unsigned) pw->pw_uid);
  RunAs r = { pw->pw_uid, pw->pw_gid, pw->pw_name };
  int status = 0;
  const char *verb = args[0];

  if (!self)
    return FALSE;
  g_ptr_array_add (argv, g_strdup (self));
  for (int i = 0; i < g->n_global_args; i++)
    {
      const char *a = g->global_args[i];
      /* The stores named with --root/--runroot are the caller's: another
       * user works on their own. */
      if (pw->pw_uid != geteuid ()
          && (g_str_has_prefix (a, "--root=") || g_str_has_prefix (a, "--runroot=")))
        continue;
      if (pw->pw_uid != geteuid () && (strcmp (a, "--root") == 0 || strcmp (a, "--runroot") == 0))
        {
          i++;
          continue;
        }
      g_ptr_array_add (argv, g_strdup (a));
    }
  for (; *args; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);
  g_ptr_array_add (env, g_strdup_printf ("PATH=%s", g_getenv ("PATH") ? g_getenv ("PATH") : "/usr/bin:/bin"));
  if (g_getenv ("TERM"))
    g_ptr_array_add (env, g_strdup_printf ("TERM=%s", g_getenv ("TERM")));
  g_ptr_array_add (env, g_strdup_printf ("HOME=%s", pw->pw_dir));
  g_ptr_array_add (env, g_strdup_printf ("USER=%s", pw->pw_name));
  g_ptr_array_add (env, g_strdup_printf ("LOGNAME=%s", pw->pw_name));
  if (pw->pw_uid != 0 && g_file_test (run_dir, G_FILE_TEST_IS_DIR))
    g_ptr_array_add (env, g_strdup_printf ("XDG_RUNTIME_DIR=%s", run_dir));
  g_ptr_array_add (env, NULL);
  cli_debug ("image scp: running as %s: %s", pw->pw_name, ((char **) argv->pdata)[1]);
  if (!g_spawn_sync ("/", (char **) argv->pdata, (char **) env->pdata,
                     G_SPAWN_CHILD_INHERITS_STDIN | G_SPAWN_LEAVE_DESCRIPTORS_OPEN, become, &r,
                     out, NULL, &status, error))
    return FALSE;
  if (out && *out)
    fputs (*out, stdout);
  if (!g_spawn_check_exit_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "image scp: %s as %s failed", verb,
                   pw->pw_name);
      return FALSE;
    }
  return TRUE;
}

int
cli_image_scp (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *format = NULL;
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      "Format of the transfer archive: oci-archive or docker-archive (the default)", "FORMAT" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Suppress the output", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_auto (ScpLocation) src = { 0 };
  g_auto (ScpLocation) dst = { 0 };
  struct passwd *pw;
  g_autofree char *src_user = NULL, *dst_user = NULL, *dir = NULL, *file = NULL, *out = NULL;
  uid_t src_uid, dst_uid, owner;
  gid_t owner_gid;
  gboolean ok;

  if (!cli_parse_options (&argc, &argv, entries, "IMAGE [HOST::] - copy an image between stores",
                          FALSE))
    return EXIT_PODUNIT;
  if (format && strcmp (format, "oci-archive") != 0 && strcmp (format, "docker-archive") != 0)
    {
      /* pflag's words for a choice flag's bad value */
      cli_error ("invalid argument \"%s\" for \"--format\" flag: \"%s\" is not a valid value.  "
                 "Choose from: \"oci-archive, docker-archive\"\nSee '%s %s --help'",
                 format, format, cli_program_name (), argv[0]);
      return EXIT_PODUNIT;
    }
  if (argc < 2 || argc > 3)
    {
      cli_error ("accepts between 1 and 2 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  parse_location (argv[1], &src);
  if (argc == 3)
    {
      parse_location (argv[2], &dst);
      /* both named: the second is the copy's new name */
      if (!*src.image && !*dst.image)
        {
          cli_error ("a source image must be specified: invalid argument");
          return EXIT_PODUNIT;
        }
    }
  else if (!*src.image)
    {
      cli_error ("no source image specified: invalid argument");
      return EXIT_PODUNIT;
    }
  else if (!src.remote && !src.user)
    {
      cli_error ("must specify a destination: invalid argument");
      return EXIT_PODUNIT;
    }
  if (src.remote || dst.remote)
    {
      cli_error ("image scp %s: copying to or from another host needs ssh and a Podman service "
                 "there; podunit copies between the users of this machine only "
                 "(USER@localhost::)",
                 src.remote ? argv[1] : argv[2]);
      return EXIT_PODUNIT;
    }

  /* Rootless, podunit is root in the user's namespace: every other user,
   * root included, is out of reach. */
  if (g->rootless)
    {
      const char *me = g_getenv ("USER") ? g_getenv ("USER") : "";
      const char *to = dst.user ? dst.user : "root";
      if ((src.user && strcmp (src.user, me) != 0) || strcmp (to, me) != 0)
        {
          cli_error ("image scp from %s to %s: copying between users needs root (podunit does "
                     "not call sudo)",
                     src.user ? src.user : me, to);
          return EXIT_PODUNIT;
        }
    }

  /* Who saves and who loads, as podman decides. */
  if (!(pw = src.user ? lookup_user (src.user, &error) : getpwuid (geteuid ())))
    return cli_fail (error);
  src_user = g_strdup (pw->pw_name);
  src_uid = pw->pw_uid;
  if (dst.user)
    pw = lookup_user (dst.user, &error);
  else if (src_uid != 0)
    pw = getpwuid (0);
  else if (g_getenv ("SUDO_USER") && *g_getenv ("SUDO_USER"))
    pw = lookup_user (g_getenv ("SUDO_USER"), &error);
  else
    {
      cli_error ("$SUDO_USER must be defined to find the default rootless user");
      return EXIT_PODUNIT;
    }
  if (!pw)
    return cli_fail (error);
  dst_user = g_strdup (pw->pw_name);
  dst_uid = pw->pw_uid;
  if (geteuid () != 0 && (src_uid != geteuid () || dst_uid != geteuid ()))
    {
      cli_error ("image scp from %s to %s: copying between users needs root (podunit does not "
                 "call sudo)",
                 src_user, dst_user);
      return EXIT_PODUNIT;
    }

  /* A private directory the user of the pair (if one is not root) owns:
   * save writes its file there, load reads it. */
  if (!(dir = g_dir_make_tmp ("podunit-scp-XXXXXX", &error)))
    return cli_fail (error);
  owner = src_uid != 0 ? src_uid : dst_uid;
  pw = getpwuid (owner);
  owner_gid = pw ? pw->pw_gid : 0;
  file = g_build_filename (dir, "image.tar", NULL);
  if (chown (dir, owner, owner_gid) < 0)
    {
      cli_error ("image scp: chown %s: %s", dir, g_strerror (errno));
      rmdir (dir);
      return EXIT_PODUNIT;
    }
  {
    const char *save[] = { "save", "--format", format ? format : "docker-archive", "--output",
                           file, src.image, quiet ? "-q" : NULL, NULL };
    const char *load[] = { "load", "--input", file, quiet ? "-q" : NULL, NULL };
    struct passwd *spw = getpwnam (src_user);
    ok = spw && run_as (g, spw, save, NULL, &error);
    struct passwd *dpw = ok ? getpwnam (dst_user) : NULL;
    ok = ok && dpw && run_as (g, dpw, load, &out, &error);
  }
  unlink (file);
  rmdir (dir);
  if (!ok)
    return error ? cli_fail (error) : EXIT_PODUNIT;

  /* The copy's new name: load's last word names the image (podman's way). */
  if (argc == 3 && *src.image && *dst.image)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (out ? out : ""));
      const char *last = strrchr (trimmed, ' ');
      const char *image = last ? last + 1 : trimmed;
      const char *tag[] = { "tag", image, dst.image, NULL };
      struct passwd *dpw = getpwnam (dst_user);
      if (!*image)
        {
          cli_error ("image scp: load named no image to tag %s", dst.image);
          return EXIT_PODUNIT;
        }
      if (!dpw || !run_as (g, dpw, tag, NULL, &error))
        return error ? cli_fail (error) : EXIT_PODUNIT;
    }
  return 0;
}
