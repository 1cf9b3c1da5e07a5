/* SPDX-License-Identifier: Apache-2.0 */
/* RunOpts -> ContainerConfig, one concern a step (run-config.h): what
 * `run` and `create` record, completed from the image's config as podman
 * completes it. */
#include "error.h"
#include "cli/run-config.h"
#include "json-strv.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "container/volume.h"
#include "net/attach.h"
#include "net/network.h"
#include "net/pasta.h"
#include "net/ports.h"
#include "sandbox/mount.h"
#include "sandbox/userns.h"
#include "sandbox/spawn.h"
#include "systemd/cgroup.h"
#include "systemd/journal.h"

/* A refusal: one GError, FALSE (lib/error.h). */
#define bad(error, ...) gerror_set (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, __VA_ARGS__)

static char **
strv_from_array (GPtrArray *a)
{
  g_ptr_array_add (a, NULL);
  return (char **) g_ptr_array_free (a, FALSE);
}

/* Command: --entrypoint replaces the image's and drops its Cmd; the
 * operands replace the Cmd. */
gboolean
run_config_command (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  const StoreRunImage *img = in->img;

  if (o->entrypoint)
    {
      if (o->entrypoint[0] == '[')
        {
          gboolean is_array;
          g_auto (GStrv) v = json_strv_parse (o->entrypoint, &is_array);
          if (!v)
            return bad (error, "--entrypoint %s: %s", o->entrypoint,
                        is_array ? "not an array of strings" : "invalid JSON array");
          for (char **e = v; *e; e++)
            g_ptr_array_add (args, g_strdup (*e));
        }
      else if (*o->entrypoint)
        g_ptr_array_add (args, g_strdup (o->entrypoint));
    }
  else
    for (char **e = img ? img->entrypoint : NULL; e && *e; e++)
      g_ptr_array_add (args, g_strdup (*e));
  if (args->len)
    {
      c->entrypoint = g_new0 (char *, args->len + 1);
      for (guint i = 0; i < args->len; i++)
        c->entrypoint[i] = g_strdup (args->pdata[i]);
    }
  if (in->command && *in->command)
    for (char **a = in->command; *a; a++)
      g_ptr_array_add (args, g_strdup (*a));
  else if (!o->entrypoint)
    for (char **e = img ? img->cmd : NULL; e && *e; e++)
      g_ptr_array_add (args, g_strdup (*e));
  /* --rootfs without a command: podman hands the runtime an empty one,
   * which fails at exec (127, "executable file `` not found") */
  if (args->len == 0 && !img)
    g_ptr_array_add (args, g_strdup (""));
  if (args->len == 0)
    return bad (error, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  g_ptr_array_set_free_func (args, NULL);
  c->argv = strv_from_array (g_steal_pointer (&args));

  c->workdir = g_strdup (o->workdir ? o->workdir : img ? img->working_dir : NULL);
  c->workdir_must_exist = o->workdir != NULL;
  if (c->workdir && *c->workdir && c->workdir[0] != '/')
    return bad (error, "-w %s: the working directory must be an absolute path", c->workdir);
  c->init = o->init;
  c->interactive = o->interactive;
  c->tty = o->tty;
  return TRUE;
}

/* KEY=VALUE list with later entries replacing earlier ones; the keys
 * indexed (an image may carry 100k Env entries: a linear search per entry
 * made every run take 30 s of CPU). */
typedef struct
{
  GPtrArray *list;   /* "KEY=VALUE", owned */
  GHashTable *index; /* KEY (owned) -> position + 1 */
} Env;

/* More variables than this is no environment but an attack (or a broken
 * image): refused with an error naming the count. */
#define ENV_MAX 65536

static void
env_set (Env *env, const char *kv)
{
  const char *eq = strchr (kv, '=');
  gsize n = eq ? (gsize) (eq - kv) : strlen (kv);
  g_autofree char *key = g_strndup (kv, n);
  guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (env->index, key));

  if (pos > 0)
    {
      g_free (env->list->pdata[pos - 1]);
      env->list->pdata[pos - 1] = g_strdup (kv);
      return;
    }
  g_ptr_array_add (env->list, g_strdup (kv));
  g_hash_table_insert (env->index, g_steal_pointer (&key), GUINT_TO_POINTER (env->list->len));
}

static void
env_unset (Env *env, const char *key)
{
  guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (env->index, key));
  if (pos == 0)
    return;
  g_ptr_array_remove_index (env->list, pos - 1); /* frees the entry */
  /* the positions after it moved down by one */
  g_hash_table_remove_all (env->index);
  for (guint i = 0; i < env->list->len; i++)
    {
      const char *kv = env->list->pdata[i];
      const char *eq = strchr (kv, '=');
      g_hash_table_insert (env->index, eq ? g_strndup (kv, eq - kv) : g_strdup (kv),
                           GUINT_TO_POINTER (i + 1));
    }
}

/* "-e FOO" takes FOO from the caller's environment; "-e FOO*" every
 * match; "-e FOO" with FOO unset adds nothing, as podman. */
static void
env_add_flag (Env *env, char **caller, const char *arg)
{
  if (strchr (arg, '='))
    env_set (env, arg);
  else if (g_str_has_suffix (arg, "*"))
    {
      for (char **h = caller; h && *h; h++)
        if (strncmp (*h, arg, strlen (arg) - 1) == 0)
          env_set (env, *h);
    }
  else if (g_environ_getenv (caller, arg))
    {
      g_autofree char *kv = g_strconcat (arg, "=", g_environ_getenv (caller, arg), NULL);
      env_set (env, kv);
    }
}

static gboolean
env_add_file (Env *env, char **caller, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char *s = g_strstrip (*l);
      if (*s && *s != '#')
        env_add_flag (env, caller, s);
    }
  return TRUE;
}

/* Environment: podman's defaults, the image, the caller's proxies,
 * --env-host, --env-file, then -e; a later one replaces an earlier one. */
gboolean
run_config_env (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  static const char *const proxies[] = { "http_proxy", "HTTP_PROXY", "https_proxy",
                                         "HTTPS_PROXY", "ftp_proxy", "FTP_PROXY",
                                         "no_proxy", "NO_PROXY", NULL };
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Env envs = { list, index }, *env = &envs;

  if (in->img && in->img->env && g_strv_length (in->img->env) > ENV_MAX)
    return bad (error, "the image's environment has %u variables, more than %d",
                g_strv_length (in->img->env), ENV_MAX);
  /* --unsetenv-all: only what -e, --env-file and --env-host give */
  if (!o->unsetenv_all)
    {
      env_set (env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      env_set (env, "container=podman");
      if (o->tty)
        env_set (env, "TERM=xterm");
      for (char **e = in->conf ? in->conf->env : NULL; e && *e; e++)
        env_set (env, *e);
      for (char **e = in->img ? in->img->env : NULL; e && *e; e++)
        env_set (env, *e);
      /* --unsetenv KEY: not from podman's defaults nor the image */
      for (char **u = o->unsetenv; u && *u; u++)
        env_unset (env, *u);
    }
  for (const char *const *p = proxies; o->http_proxy && *p; p++)
    if (g_environ_getenv (in->env, *p))
      {
        g_autofree char *kv = g_strconcat (*p, "=", g_environ_getenv (in->env, *p), NULL);
        env_set (env, kv);
      }
  for (char **h = in->env; o->env_host && h && *h; h++)
    env_set (env, *h);
  for (char **f = o->env_file; f && *f; f++)
    if (!env_add_file (env, in->env, *f, error))
      return FALSE;
  for (char **e = o->env; e && *e; e++)
    env_add_flag (env, in->env, *e);
  if (list->len > ENV_MAX)
    return bad (error, "the environment has %u variables, more than %d", list->len, ENV_MAX);
  g_ptr_array_set_free_func (list, NULL);
  c->env = strv_from_array (g_steal_pointer (&list));
  return TRUE;
}

/* The user as written (-u, else the image's); resolved in the image's
 * /etc/passwd at start (container/user.h). */
gboolean
run_config_user (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  c->user = g_strdup (o->user ? o->user : in->img ? in->img->user : NULL);
  c->group_add = g_strdupv (o->group_add);
  return TRUE;
}

/* -v, --mount and --tmpfs into normalized mount specs (mount.h), in that
 * order; named volumes are created on first use. */
gboolean
run_config_mounts (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  g_autoptr (GPtrArray) mounts = g_ptr_array_new_with_free_func (g_free);

  for (char **v = o->volume; v && *v; v++)
    {
      char *m = volume_normalize_v (in->root, *v, error);
      if (!m)
        return FALSE;
      g_ptr_array_add (mounts, m);
    }
  for (char **v = o->mount; v && *v; v++)
    {
      char *m = volume_normalize_mount (in->root, *v, error);
      if (!m)
        return FALSE;
      g_ptr_array_add (mounts, m);
    }
  for (char **v = o->tmpfs; v && *v; v++)
    {
      char *m = volume_normalize_tmpfs (*v, error);
      if (!m)
        return FALSE;
      g_ptr_array_add (mounts, m);
    }
  /* mounts.conf: a source that exists, where no mount of the user's goes
   * (podman skips the others without a word) */
  for (char **d = in->default_mounts; d && *d; d++)
    {
      g_auto (GStrv) sd = g_strsplit (*d, ":", 2);
      gboolean taken = FALSE;
      if (!sd[0] || !sd[1] || sd[0][0] != '/' || sd[1][0] != '/'
          || !g_file_test (sd[0], G_FILE_TEST_EXISTS))
        continue;
      for (guint i = 0; i < mounts->len && !taken; i++)
        {
          g_autofree char *want = g_strconcat ("destination=", sd[1], NULL);
          g_auto (GStrv) opts = g_strsplit (mounts->pdata[i], ",", -1);
          taken = g_strv_contains ((const char *const *) opts, want);
        }
      if (!taken)
        g_ptr_array_add (mounts, g_strdup_printf ("type=bind,source=%s,destination=%s,ro",
                                                  sd[0], sd[1]));
    }
  g_ptr_array_set_free_func (mounts, NULL);
  c->mounts = strv_from_array (g_steal_pointer (&mounts));
  c->read_only = o->read_only;
  c->read_only_tmpfs = o->read_only_tmpfs;
  c->tz = g_strdup (o->tz ? o->tz : in->conf ? in->conf->tz : NULL);
  c->devices = g_strdupv (o->device);
  /* --device-cgroup-rule: checked as podman parses it */
  for (char **r = o->device_cgroup_rule; r && *r; r++)
    {
      g_auto (GStrv) f = g_strsplit (*r, " ", -1);
      g_auto (GStrv) num = NULL;
      guint64 v;
      if (g_strv_length (f) != 3)
        return bad (error, "invalid device cgroup rule requires type, major:Minor, and access "
                           "rules: \"%s\"", *r);
      if (!g_str_equal (f[0], "a") && !g_str_equal (f[0], "b") && !g_str_equal (f[0], "c"))
        return bad (error, "invalid device type in device-access-add: %s", f[0]);
      num = g_strsplit (f[1], ":", 2);
      for (int i = 0; i < 2 && num[i]; i++)
        if (!(i == 1 && g_str_equal (num[i], "*"))
            && !g_ascii_string_to_unsigned (num[i], 10, 0, G_MAXINT64, &v, NULL))
          return bad (error, "strconv.ParseUint: parsing \"%s\": invalid syntax", num[i]);
      for (const char *a = f[2]; *a; a++)
        if (*a != 'r' && *a != 'w' && *a != 'm')
          return bad (error, "invalid device access in device-access-add: %c", *a);
    }
  c->device_cgroup_rules = g_strdupv (o->device_cgroup_rule);
  return TRUE;
}

/* Capabilities and --security-opt. */
gboolean
run_config_security (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  g_autoptr (GPtrArray) mask = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) unmask = g_ptr_array_new_with_free_func (g_free);

  c->cap_add = g_strdupv (o->cap_add);
  c->cap_drop = g_strdupv (o->cap_drop);
  for (char **s = o->security_opt; s && *s; s++)
    {
      const char *v = strchr (*s, '=')   ? strchr (*s, '=') + 1
                      : strchr (*s, ':') ? strchr (*s, ':') + 1
                                         : NULL;
      if (g_str_equal (*s, "no-new-privileges") || g_str_equal (*s, "no-new-privileges=true")
          || g_str_equal (*s, "no-new-privileges:true"))
        c->no_new_privs = TRUE;
      else if (g_str_equal (*s, "no-new-privileges=false"))
        c->no_new_privs = FALSE;
      else if (g_str_has_prefix (*s, "seccomp="))
        {
          g_free (c->seccomp_profile);
          c->seccomp_profile = g_strdup (v);
        }
      else if (g_str_has_prefix (*s, "label="))
        {
          /* No SELinux here: "disable" and the label types are moot. */
          if (!g_str_equal (v, "disable") && !g_str_has_prefix (v, "type:")
              && !g_str_has_prefix (v, "level:") && !g_str_equal (v, "nested"))
            return bad (error, "--security-opt %s is not supported", *s);
        }
      else if (g_str_has_prefix (*s, "mask=") || g_str_has_prefix (*s, "unmask="))
        {
          g_auto (GStrv) paths = g_strsplit (v, ":", -1);
          for (char **p = paths; *p; p++)
            if (**p)
              g_ptr_array_add (**s == 'm' ? mask : unmask, g_strdup (*p));
        }
      else
        return bad (error, "--security-opt %s is not supported", *s);
    }
  /* --privileged: no seccomp filter unless one was named, nothing masked
   * or read-only (podman's "turns off the security features") */
  c->privileged = o->privileged;
  if (o->privileged && !c->seccomp_profile)
    c->seccomp_profile = g_strdup ("unconfined");
  if (o->privileged)
    g_ptr_array_add (unmask, g_strdup ("ALL"));
  g_ptr_array_set_free_func (mask, NULL);
  g_ptr_array_set_free_func (unmask, NULL);
  c->mask = strv_from_array (g_steal_pointer (&mask));
  c->unmask = strv_from_array (g_steal_pointer (&unmask));
  return TRUE;
}

/* Labels (the image's, then -l) and annotations. */
gboolean
run_config_metadata (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  const char *unit = g_environ_getenv (in->env, "PODMAN_SYSTEMD_UNIT");

  for (char **l = in->img ? in->img->labels : NULL; l && *l; l++)
    g_ptr_array_add (labels, g_strdup (*l));
  /* --label-file: a KEY=VALUE a line, taken as written; blank and '#'
   * lines skipped; a later file and -l win */
  for (char **f = o->label_file; f && *f; f++)
    {
      g_autofree char *text = NULL;
      g_auto (GStrv) lines = NULL;
      if (!g_file_get_contents (*f, &text, NULL, error))
        {
          g_prefix_error (error, "--label-file: ");
          return FALSE;
        }
      lines = g_strsplit (text, "\n", -1);
      for (char **l = lines; *l; l++)
        {
          char *s = g_strchug (*l);
          if (*s && *s != '#')
            g_ptr_array_add (labels, strchr (s, '=') ? g_strdup (s) : g_strconcat (s, "=", NULL));
        }
    }
  for (char **l = o->label; l && *l; l++)
    g_ptr_array_add (labels, strchr (*l, '=') ? g_strdup (*l) : g_strconcat (*l, "=", NULL));
  /* Quadlet's services set PODMAN_SYSTEMD_UNIT; podman records it. */
  if (unit)
    g_ptr_array_add (labels, g_strconcat ("PODMAN_SYSTEMD_UNIT=", unit, NULL));
  g_ptr_array_set_free_func (labels, NULL);
  c->labels = strv_from_array (g_steal_pointer (&labels));
  c->annotations = g_strdupv (o->annotation);
  return TRUE;
}

/* How the container stops and whether it is removed then. */
/* --systemd: "always", or "true" (the default) when the command is an init
 * (podman's list); systemd mode stops with SIGRTMIN+3 and tells the
 * container its id in container_uuid. */
static gboolean
run_config_systemd (const RunOpts *o, ContainerConfig *c, GError **error)
{
  const char *want = o->systemd ? o->systemd : "true";
  if (g_ascii_strcasecmp (want, "always") == 0)
    c->systemd = TRUE;
  else if (g_ascii_strcasecmp (want, "true") == 0 || g_str_equal (want, "1"))
    {
      static const char *const inits[] = { "/sbin/init", "/usr/sbin/init", "/usr/local/sbin/init",
                                           NULL };
      const char *cmd = c->argv ? c->argv[0] : NULL;
      g_autofree char *base = cmd ? g_path_get_basename (cmd) : NULL;
      c->systemd = cmd && (g_strv_contains (inits, cmd) || g_str_equal (base, "systemd"));
    }
  else if (g_ascii_strcasecmp (want, "false") != 0 && !g_str_equal (want, "0"))
    return bad (error, "--systemd %s: expected true, false or always", want);
  if (c->systemd)
    {
      g_autofree char *uuid = g_strdup_printf ("container_uuid=%.32s", c->id);
      guint n = c->env ? g_strv_length (c->env) : 0;
      c->env = g_renew (char *, c->env, n + 2);
      c->env[n] = g_steal_pointer (&uuid);
      c->env[n + 1] = NULL;
    }
  return TRUE;
}

gboolean
run_config_stop (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  const char *sig;
  if (!run_config_systemd (o, c, error))
    return FALSE;
  sig = o->stop_signal                        ? o->stop_signal
        : in->img && in->img->has_stop_signal ? in->img->stop_signal
        : c->systemd                          ? "SIGRTMIN+3"
                                              : "SIGTERM";
  c->stop_signal = container_parse_signal (sig);
  if (c->stop_signal < 0)
    return bad (error, "--stop-signal %s: invalid signal", sig);
  c->stop_timeout = 10;
  if (o->stop_timeout)
    {
      char *end;
      c->stop_timeout = g_ascii_strtoll (o->stop_timeout, &end, 10);
      if (*end || end == o->stop_timeout || c->stop_timeout < 0)
        return bad (error, "--stop-timeout %s: expected seconds", o->stop_timeout);
    }
  if (o->timeout)
    {
      guint64 t;
      if (!g_ascii_string_to_unsigned (o->timeout, 10, 0, G_MAXINT32, &t, NULL))
        return bad (error, "--timeout %s: expected seconds", o->timeout);
      c->timeout = (gint64) t;
    }
  c->auto_remove = o->rm;
  c->auto_remove_image = o->rmi;
  if (o->restart && *o->restart)
    {
      const char *colon = strchr (o->restart, ':');
      g_autofree char *name = g_strndup (o->restart, colon ? (gsize) (colon - o->restart)
                                                           : strlen (o->restart));
      static const char *const policies[] = { "no", "always", "on-failure", "unless-stopped", NULL };
      char *end = NULL;
      if (!g_strv_contains (policies, name))
        return bad (error, "--restart %s: invalid restart policy (no, always, on-failure[:N], "
                           "unless-stopped)", o->restart);
      if (colon && (!g_str_equal (name, "on-failure")
                    || (c->restart_retries = g_ascii_strtoll (colon + 1, &end, 10)) < 0 || *end
                    || end == colon + 1))
        return bad (error, "--restart %s: only on-failure takes a number of retries, and it "
                           "must be 0 or more", o->restart);
      if (c->auto_remove && !g_str_equal (name, "no"))
        return bad (error, "the --rm option conflicts with --restart, when the restartPolicy is "
                           "not \"\" and \"no\"");
      c->restart_policy = g_steal_pointer (&name);
    }
  return TRUE;
}

/* "8000", "5.023m", "400MB" -> bytes, decimal as go-units' FromHumanSize
 * reads them (k = 1000; an 'i' makes it binary: "4KiB"). */
static gboolean
parse_decimal_size (const char *s, gint64 *out)
{
  static const char units[] = "kmgtp";
  char *end;
  double v = g_ascii_strtod (s, &end), mult = 1;
  const char *u;
  if (end == s || v < 0)
    return FALSE;
  if (*end && (u = strchr (units, g_ascii_tolower (*end))))
    {
      gboolean binary = g_ascii_tolower (end[1]) == 'i';
      for (const char *p = units; p <= u; p++)
        mult *= binary ? 1024 : 1000;
      end += binary ? 2 : 1;
    }
  if (g_ascii_tolower (*end) == 'b')
    end++;
  /* strtod also reads "inf", "nan" and 1e999: only a size a gint64 holds */
  if (*end || !(v * mult < (double) G_MAXINT64))
    return FALSE;
  *out = (gint64) (v * mult + 0.5);
  return TRUE;
}

/* Limits: rlimits, sysctls, /dev/shm, and the cgroup limits the cgroup
 * code applies at start (it warns once where this host cannot). */
gboolean
run_config_resources (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  g_autoptr (GArray) rlimits = NULL;
  g_autoptr (GStrvBuilder) ulimits = g_strv_builder_new ();
  const char *shm = o->shm_size ? o->shm_size : in->conf ? in->conf->shm_size : NULL;

  /* containers.conf's default_ulimits, then --ulimit (the later one wins) */
  for (char **u = in->conf ? in->conf->default_ulimits : NULL; u && *u; u++)
    g_strv_builder_add (ulimits, *u);
  for (char **u = o->ulimit; u && *u; u++)
    g_strv_builder_add (ulimits, *u);
  c->ulimits = g_strv_builder_end (ulimits);
  if (!*c->ulimits)
    g_clear_pointer (&c->ulimits, g_strfreev);
  rlimits = rlimits_resolve (c->ulimits, FALSE, error);
  if (!rlimits)
    return FALSE;
  c->sysctls = g_strdupv (o->sysctl);
  if (o->cgroupns && !g_str_equal (o->cgroupns, "host") && !g_str_equal (o->cgroupns, "private"))
    return bad (error, "--cgroupns %s: podunit supports host and private", o->cgroupns);
  c->cgroupns_host = g_strcmp0 (o->cgroupns, "host") == 0;
  c->shm_size = 64 * 1024 * 1024;
  /* podman reads it as --memory (go-units RAMInBytes) */
  if (shm && !cgroup_parse_memory (shm, &c->shm_size, NULL))
    return bad (error, "--shm-size %s: invalid size", shm);
  if (o->oom_score_adj || (in->conf && in->conf->has_oom_score_adj))
    {
      char *end = NULL;
      gint64 v = o->oom_score_adj ? g_ascii_strtoll (o->oom_score_adj, &end, 10)
                                  : in->conf->oom_score_adj;
      if ((end && (*end || end == o->oom_score_adj)) || v < -1000 || v > 1000)
        return bad (error, "--oom-score-adj %s: expected a number from -1000 to 1000",
                    o->oom_score_adj);
      c->oom_score_adj_set = TRUE;
      c->oom_score_adj = (int) v;
    }
  c->memory = c->pids_limit = c->cpu_quota = -1;
  if (o->memory && !cgroup_parse_memory (o->memory, &c->memory, error))
    {
      g_prefix_error (error, "--memory: ");
      return FALSE;
    }
  if (c->memory == 0) /* podman: --memory 0 is no limit */
    c->memory = -1;
  if (o->cpus && !cgroup_parse_cpus (o->cpus, &c->cpu_quota, error))
    {
      g_prefix_error (error, "--cpus: ");
      return FALSE;
    }
  if (!o->pids_limit && in->conf && in->conf->pids_limit > 0)
    c->pids_limit = in->conf->pids_limit;
  if (o->pids_limit)
    {
      char *end;
      c->pids_limit = g_ascii_strtoll (o->pids_limit, &end, 10);
      if (*end || end == o->pids_limit)
        return bad (error, "--pids-limit %s: expected a number", o->pids_limit);
      if (c->pids_limit <= 0)
        c->pids_limit = CGROUP_UNLIMITED;
    }
  c->cgroups = g_strdup (o->cgroups ? o->cgroups : "enabled");
  if (!g_str_equal (c->cgroups, "enabled") && !g_str_equal (c->cgroups, "disabled")
      && !g_str_equal (c->cgroups, "no-conmon") && !g_str_equal (c->cgroups, "split"))
    return bad (error, "--cgroups %s: expected enabled, disabled, no-conmon or split",
                c->cgroups);
  return TRUE;
}

gboolean
run_config_has_bridge (const char *net)
{
  return !g_str_equal (net, "none") && !g_str_equal (net, "host")
         && !g_str_equal (net, "private") && !net_is_pasta (net) && !strchr (net, ':')
         && !strchr (net, '/');
}

/* The network namespace and the names the container sees: hostname,
 * /etc/hosts entries, resolv.conf. */
static gboolean
pod_shares (const RunInputs *in, const char *ns)
{
  return in->pod_infra_id && in->pod_share
         && g_strv_contains ((const char *const *) in->pod_share, ns);
}

/* A pod member's network is its pod's when the pod shares it
 * (run_config_pod): podman refuses these flags the same way. */
static gboolean
check_pod_member_flags (const RunOpts *o, const RunInputs *in, GError **error)
{
  if (o->hostname && pod_shares (in, "uts"))
    return bad (error, "invalid config provided: cannot set hostname when joining the pod UTS "
                       "namespace");
  if (!pod_shares (in, "net"))
    return TRUE;
  if (o->network || o->publish || o->publish_all || o->expose || o->ip || o->ip6 || o->mac
      || o->network_alias)
    return bad (error, "invalid config provided: published or exposed ports must be defined "
                       "when the pod is created: network cannot be configured when it is shared "
                       "with a pod");
  if (o->dns || o->dns_search || o->dns_option || o->add_host)
    return bad (error, "invalid config provided: --dns*/--add-host belong to the pod "
                       "(pod create): its members share its /etc/hosts and resolv.conf");
  return TRUE;
}

gboolean
run_config_network (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  if (in->pod_id && !check_pod_member_flags (o, in, error))
    return FALSE;
  gboolean rootless = !userns_is_initial ();
  /* podman's defaults: the bridge network for root; pasta for a rootless
   * container, as with podman 5 (a user cannot make veths on the host's
   * bridges). */
  const char *net = o->network ? o->network : rootless ? "pasta" : NET_DEFAULT_NAME;
  /* podman's "bridge" is its default network; podunit's is `podunit`. */
  if (g_str_equal (net, "bridge"))
    net = NET_DEFAULT_NAME;
  g_autofree char *joined = NULL;
  if (g_str_equal (net, "slirp4netns") || g_str_has_prefix (net, "ns:"))
    return bad (error, "--network %s is not supported by podunit yet", net);
  if (g_str_has_prefix (net, "container:"))
    {
      /* joins that container's network namespace (launch.c), by id */
      g_autofree char *id = container_resolve (in->root, net + 10, error);
      if (!id)
        return FALSE;
      net = joined = g_strconcat ("container:", id, NULL);
    }
  else if (net_is_pasta (net))
    {
      if (!rootless)
        return bad (error, "--network %s: pasta is for rootless containers in podunit "
                           "(root containers use bridge networks)", net);
      if (!net_pasta_check (net, error))
        return FALSE;
    }
  else if (!run_config_has_bridge (net) && !g_str_equal (net, "none")
           && !g_str_equal (net, "host") && !g_str_equal (net, "private"))
    return bad (error, "--network %s: invalid network mode", net);
  if (run_config_has_bridge (net))
    {
      /* Network names: each must exist now (it may not be created later:
       * podman checks at create too). */
      g_auto (GStrv) names = g_strsplit (net, ",", -1);
      for (char **n = names; *n; n++)
        {
          g_autoptr (NetNetwork) def = net_network_load (in->root, *n, error);
          if (!def)
            return FALSE;
        }
    }
  c->network = g_strdup (net);
  c->hostname = o->hostname ? g_strdup (o->hostname) : g_strndup (c->id, 12);
  c->no_hostname = o->no_hostname;
  c->dns = g_strdupv (o->dns);
  c->dns_search = g_strdupv (o->dns_search);
  c->dns_option = g_strdupv (o->dns_option);
  for (char **h = o->add_host; h && *h; h++)
    if (!strchr (*h, ':'))
      return bad (error, "--add-host %s: expected HOST:IP", *h);
  c->add_host = g_strdupv (o->add_host);
  return TRUE;
}

/* Adds the -P ports of @exposed (normalized, free host ports) to @ports
 * unless a -p already publishes that container port and protocol. */
static void
publish_exposed (GPtrArray *ports, GPtrArray *exposed)
{
  for (guint i = 0; i < exposed->len; i++)
    {
      NetPort e, p;
      gboolean taken = FALSE;
      if (!net_port_from_string (exposed->pdata[i], &e))
        continue;
      for (guint j = 0; j < ports->len && !taken; j++)
        taken = net_port_from_string (ports->pdata[j], &p) && g_str_equal (p.proto, e.proto)
                && e.ctr_port >= p.ctr_port && e.ctr_port < p.ctr_port + p.count;
      if (!taken)
        g_ptr_array_add (ports, g_strdup (exposed->pdata[i]));
    }
}

/* -p/--publish, -P with --expose and the image's EXPOSE, --ip, --mac-address, --network-alias
 * (net/ports.h): checked and normalized; addresses come at start. A -p
 * without a host port gets a free one now, as `port` shows it. */
gboolean
run_config_ports (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  g_autoptr (GPtrArray) ports = g_ptr_array_new_with_free_func (g_free);
  gboolean bridged = run_config_has_bridge (c->network);

  for (char **p = o->publish; p && *p; p++)
    if (!net_ports_parse (*p, ports, error))
      return FALSE;
  for (char **e = o->expose; e && *e; e++)
    {
      g_autoptr (GPtrArray) tmp = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *port = g_strdup (*e);
      if (strchr (port, '/'))
        *strchr (port, '/') = 0;
      if (strchr (port, '-') || strchr (port, ':') || !net_ports_parse (*e, tmp, NULL))
        return bad (error, "--expose %s: expected PORT[/PROTO]", *e);
      if (o->publish_all)
        publish_exposed (ports, tmp);
    }
  /* -P: the image's EXPOSE too, each on a free host port. */
  for (char **e = in->img ? in->img->exposed_ports : NULL; o->publish_all && e && *e; e++)
    {
      g_autoptr (GPtrArray) tmp = g_ptr_array_new_with_free_func (g_free);
      if (!net_ports_parse (*e, tmp, NULL))
        continue; /* not a port podman would publish either ("80/icmp") */
      publish_exposed (ports, tmp);
    }
  /* podman discards them where there is no network of the container's own */
  if (ports->len > 0
      && (g_str_equal (c->network, "host") || g_str_equal (c->network, "none")
          || g_str_has_prefix (c->network, "container:")))
    {
      g_autofree char *mode = g_strndup (c->network, strcspn (c->network, ":"));
      g_autofree char *m = g_strdup_printf ("Port mappings have been discarded because \"%s\" "
                                            "network namespace mode does not support them",
                                            mode);
      if (in->warn)
        in->warn (m);
      g_ptr_array_set_size (ports, 0);
    }
  if (ports->len > 0 && !bridged && !net_is_pasta (c->network))
    return bad (error, "-p/--publish needs a bridge network or pasta (--network %s has none)",
                c->network);
  if ((o->ip || o->ip6 || o->mac || o->network_alias) && !bridged)
    return bad (error, "--ip, --ip6, --mac-address and --network-alias need a bridge network");
  if (o->ip)
    {
      guint32 v;
      if (!net_parse_ip4 (o->ip, &v))
        return bad (error, "--ip %s: not an IPv4 address", o->ip);
    }
  if (o->ip6)
    {
      struct in6_addr v;
      if (!net_parse_ip6 (o->ip6, &v))
        return bad (error, "--ip6 %s: not an IPv6 address", o->ip6);
    }
  if (o->mac)
    {
      guint8 m[6];
      if (!net_mac_parse (o->mac, m))
        return bad (error, "--mac-address %s: not a unicast MAC address", o->mac);
    }
  g_ptr_array_add (ports, NULL);
  c->ports = (char **) g_ptr_array_free (g_steal_pointer (&ports), FALSE);
  c->ip = g_strdup (o->ip);
  c->ip6 = g_strdup (o->ip6);
  c->mac = g_strdup (o->mac);
  c->network_aliases = g_strdupv (o->network_alias);
  return TRUE;
}

/* The user namespace: --userns, --uidmap/--gidmap and
 * --subuidname/--subgidname checked here (userns.h) and recorded; the
 * launch resolves them against the ids the caller has. */
gboolean
run_config_userns (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  g_auto (UsernsMode) m;
  g_autoptr (GArray) maps = g_array_new (FALSE, FALSE, sizeof (IdMapping));

  if (!userns_mode_parse (o->userns, &m, error))
    return FALSE;
  for (char **u = o->uidmap; u && *u; u++)
    if (!userns_mapping_parse (*u, "--uidmap", maps, error))
      return FALSE;
  for (char **u = o->gidmap; u && *u; u++)
    if (!userns_mapping_parse (*u, "--gidmap", maps, error))
      return FALSE;
  if ((o->uidmap || o->gidmap || o->subuidname || o->subgidname) && m.kind != USERNS_DEFAULT
      && m.kind != USERNS_PRIVATE)
    return bad (error, "--userns %s cannot be combined with --uidmap, --gidmap, --subuidname "
                       "or --subgidname",
                o->userns);
  if ((o->uidmap || o->gidmap) && (o->subuidname || o->subgidname))
    return bad (error, "--uidmap/--gidmap cannot be combined with --subuidname/--subgidname");
  c->userns = g_strdup (o->userns);
  c->uidmap = g_strdupv (o->uidmap);
  c->gidmap = g_strdupv (o->gidmap);
  c->subuidname = g_strdup (o->subuidname);
  c->subgidname = g_strdup (o->subgidname);
  return TRUE;
}

/* Where the output goes and what systemd hears (--sdnotify). */
gboolean
run_config_logging (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  /* journal.h: journald where it runs (under systemd), else k8s-file. */
  LogDriver driver = log_driver_default (in->journal_socket);
  const char *want = o->log_driver ? o->log_driver : in->conf ? in->conf->log_driver : NULL;
  const char *path = in->conf ? in->conf->log_path : NULL;

  c->log_size_max = in->conf ? in->conf->log_size_max : -1;
  c->log_tag = g_strdup (in->conf ? in->conf->log_tag : NULL);
  /* podman's keys (specgenutil): driver, path, max-size, tag */
  for (char **l = o->log_opt; l && *l; l++)
    {
      const char *eq = strchr (*l, '=');
      g_autofree char *key = eq ? g_ascii_strdown (*l, eq - *l) : NULL;
      if (!eq)
        return bad (error, "invalid log option \"%s\"", *l);
      if (g_str_equal (key, "driver"))
        want = eq + 1;
      else if (g_str_equal (key, "path"))
        path = eq + 1;
      else if (g_str_equal (key, "max-size"))
        {
          /* podman: a decimal size (go-units FromHumanSize: k = 1000) */
          if (!parse_decimal_size (eq + 1, &c->log_size_max))
            return bad (error, "--log-opt %s: invalid size", *l);
        }
      else if (g_str_equal (key, "tag"))
        {
          g_free (c->log_tag);
          c->log_tag = g_strdup (eq + 1);
        }
      else
        /* podman passes other keys on unused (docker's max-file, mode):
         * said here rather than dropped */
        return bad (error, "--log-opt %s is not supported by podunit yet (path=, max-size=, tag=)",
                    *l);
    }
  if (c->log_tag && strstr (c->log_tag, "{{"))
    return bad (error, "log tag %s: templates in the tag are not supported by podunit yet",
                c->log_tag);
  if (want && !log_driver_from_string (want, &driver, error))
    return FALSE;
  /* As given: inspect shows json-file where it was asked for (journal.h) */
  c->log_driver = g_strdup (want ? want : log_driver_to_string (driver));
  if (g_str_equal (c->log_driver, "passthrough") && (isatty (0) || isatty (1) || isatty (2)))
    return bad (error, "the '--log-driver passthrough' option cannot be used on a TTY.  If you "
                       "really want it, use '--log-driver passthrough-tty'");
  if (path && driver == LOG_DRIVER_K8S_FILE)
    c->log_path = g_canonicalize_filename (path, NULL);
  c->sdnotify = g_strdup (o->sdnotify ? o->sdnotify : "conmon");
  if (!g_str_equal (c->sdnotify, "conmon") && !g_str_equal (c->sdnotify, "container")
      && !g_str_equal (c->sdnotify, "ignore") && !g_str_equal (c->sdnotify, "healthy"))
    return bad (error, "--sdnotify %s: expected conmon, container, healthy or ignore",
                c->sdnotify);
  return TRUE;
}

/* --pod (pod.h): the member joins the namespaces of the infra that the
 * pod shares (by default network, UTS and IPC, so the network flags
 * belong to the pod: podman refuses them the same way, and its host name
 * is the pod's). */
gboolean
run_config_pod (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  c->conmon_pidfile = o->conmon_pidfile ? g_canonicalize_filename (o->conmon_pidfile, NULL) : NULL;
  c->cidfile = o->cidfile ? g_canonicalize_filename (o->cidfile, NULL) : NULL;
  if (!in->pod_id)
    return TRUE;
  c->pod = g_strdup (in->pod_id);
  c->pod_share = g_new0 (char *, 1); /* recorded, even empty (container.h) */
  if (!in->pod_infra_id || !in->pod_share)
    return TRUE;
  g_strfreev (c->pod_share);
  c->pod_share = g_strdupv (in->pod_share);
  c->pod_infra = g_strdup (in->pod_infra_id);
  if (pod_shares (in, "net"))
    {
      g_free (c->network);
      c->network = g_strconcat ("container:", in->pod_infra_id, NULL);
    }
  if (pod_shares (in, "uts"))
    {
      g_free (c->hostname);
      c->hostname = g_strdup (in->pod_hostname);
    }
  return TRUE;
}

/* podman's parseSecrets: "NAME" alone, or "[NAME,]KEY=VALUE,..." with
 * source, type (mount, env), target, and for mounts uid, gid, mode (octal);
 * its messages. A mount's relative target is under /run/secrets. */
gboolean
run_config_secrets (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  (void) in;
  for (char **v = o->secret; v && *v; v++)
    {
      g_auto (GStrv) split = g_strsplit (*v, ",", -1);
      g_autofree char *target_abs = NULL;
      const char *source = NULL, *type = NULL, *target = "";
      guint64 uid = 0, gid = 0, mode = 0444;
      gboolean mount_only = FALSE;
      char **p = split;
      if (!split[0] || !split[1])
        source = *v;
      else
        {
          if (!strchr (split[0], '='))
            source = *p++;
          for (; *p; p++)
            {
              char *eq = strchr (*p, '=');
              const char *val = eq ? eq + 1 : NULL;
              g_autofree char *key = eq ? g_strndup (*p, eq - *p) : NULL;
              if (!eq)
                return bad (error, "option %s must be in form option=value: parsing secret", *p);
              if (g_str_equal (key, "source"))
                source = val;
              else if (g_str_equal (key, "type"))
                {
                  if (type)
                    return bad (error, "cannot set more than one secret type: parsing secret");
                  if (!g_str_equal (val, "mount") && !g_str_equal (val, "env"))
                    return bad (error, "type %s is invalid: parsing secret", val);
                  type = val;
                }
              else if (g_str_equal (key, "target"))
                target = val;
              else if (g_str_equal (key, "mode"))
                {
                  mount_only = TRUE;
                  if (!g_ascii_string_to_unsigned (val, 8, 0, G_MAXUINT32, &mode, NULL))
                    return bad (error, "mode %s invalid: parsing secret", val);
                }
              else if (g_str_equal (key, "uid") || g_str_equal (key, "UID"))
                {
                  mount_only = TRUE;
                  if (!g_ascii_string_to_unsigned (val, 10, 0, G_MAXUINT32, &uid, NULL))
                    return bad (error, "UID %s invalid: parsing secret", val);
                }
              else if (g_str_equal (key, "gid") || g_str_equal (key, "GID"))
                {
                  mount_only = TRUE;
                  if (!g_ascii_string_to_unsigned (val, 10, 0, G_MAXUINT32, &gid, NULL))
                    return bad (error, "GID %s invalid: parsing secret", val);
                }
              else
                return bad (error, "option %s invalid: parsing secret", *p);
            }
          if (!source || !*source)
            return bad (error, "no source found %s: parsing secret", *v);
        }
      if (type && g_str_equal (type, "env"))
        {
          if (mount_only)
            return bad (error, "UID, GID, Mode options cannot be set with secret type env: "
                               "parsing secret");
          g_autofree char *e = g_strdup_printf ("source=%s,type=env,target=%s", source,
                                                *target ? target : source);
          g_strv_builder_add (b, e);
          continue;
        }
      target_abs = g_path_is_absolute (target)
                       ? g_strdup (target)
                       : g_build_filename ("/run/secrets", *target ? target : source, NULL);
      g_autofree char *m = g_strdup_printf ("source=%s,type=mount,target=%s,uid=%" G_GUINT64_FORMAT
                                            ",gid=%" G_GUINT64_FORMAT ",mode=%04" G_GINT64_MODIFIER
                                            "o",
                                            source, target_abs, uid, gid, mode);
      g_strv_builder_add (b, m);
    }
  c->secrets = g_strv_builder_end (b);
  if (!*c->secrets)
    g_clear_pointer (&c->secrets, g_strfreev);
  return TRUE;
}

static const RunConfigStep run_config_steps[] = {
  run_config_command, run_config_env,     run_config_user,      run_config_mounts,
  run_config_security, run_config_metadata, run_config_stop,    run_config_resources,
  run_config_network, run_config_ports,   run_config_userns,    run_config_logging,
  run_config_pod,      run_config_secrets,
};

gboolean
run_config_build (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (run_config_steps); i++)
    if (!run_config_steps[i](o, in, c, error))
      return FALSE;
  return TRUE;
}

gboolean
run_config_health (const RunOpts *o, HealthConfig *hc, GError **error)
{
  return health_config_from_flags (&o->health, hc, error);
}
