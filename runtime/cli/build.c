/* SPDX-License-Identifier: Apache-2.0 */
/* podunit build [-t NAME]... [-f FILE|-] [-q] CONTEXT: one stage of a
 * Containerfile (image/containerfile.h) into an image, with podunit's own
 * engine: FROM looks the image up (pulling as --pull says), RUN runs in
 * one working container made as `create` makes one (run_config_build,
 * container_create_record) and started as `run` starts it
 * (launch_foreground), COPY/ADD/WORKDIR write into that container
 * (container/copy.h), the metadata instructions edit the new image's
 * config, and the end commits the container's upper dir as one layer, as
 * `commit` does (store_create_image): buildah's --layers=false. The working
 * container is removed whatever happens; a failed build leaves no image. */
#include "cli/cli.h"
#include "cli/image-util.h"
#include "cli/run-config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/copy.h"
#include "container/launch.h"
#include "image/containerfile.h"
#include "image/store.h"
#include "systemd/journal.h"

typedef struct {
  CliGlobal *g;
  Store *store;
  const char *file;    /* the Containerfile's name, in errors */
  const char *context; /* NULL: none (the Containerfile came from stdin) */
  const char *network, *pull, *authfile;
  char **cap_add, **build_args;
  GHashTable *used_args;    /* the --build-arg names an ARG declared */
  GPtrArray *global_args;   /* "K=V": ARGs before FROM */
  GPtrArray *args;          /* "K=V": ARGs of the stage */
  StoreRunImage *run_img;   /* FROM's image; NULL: scratch */
  StoreImage *base;
  JsonObject *config;       /* the new image's "config" */
  char **shell;
  char *author;
  gboolean cmd_set;
  ContainerConfig *work;    /* the working container, once made */
} Build;

static void
build_clear (Build *b)
{
  if (b->work)
    {
      launch_remove (&b->g->launch, b->work->id, TRUE, NULL);
      container_config_free (b->work);
    }
  g_clear_pointer (&b->store, store_free);
  g_clear_pointer (&b->used_args, g_hash_table_unref);
  g_clear_pointer (&b->global_args, g_ptr_array_unref);
  g_clear_pointer (&b->args, g_ptr_array_unref);
  g_clear_pointer (&b->run_img, store_run_image_free);
  g_clear_pointer (&b->base, store_image_unref);
  g_clear_pointer (&b->config, json_object_unref);
  g_clear_pointer (&b->shell, g_strfreev);
  g_clear_pointer (&b->author, g_free);
}

static gboolean fail (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
static gboolean
fail (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_FAILED, fmt, ap));
  va_end (ap);
  return FALSE;
}

/* "K=V" lists: set replaces the key's entry in place. */
static void
kv_set (GPtrArray *list, const char *kv)
{
  gsize n = strcspn (kv, "=");
  for (guint i = 0; i < list->len; i++)
    if (strncmp (list->pdata[i], kv, n) == 0 && ((char *) list->pdata[i])[n] == '=')
      {
        g_free (list->pdata[i]);
        list->pdata[i] = g_strdup (kv);
        return;
      }
  g_ptr_array_add (list, g_strdup (kv));
}

static char **
config_strv (JsonObject *config, const char *member)
{
  JsonArray *a = json_object_has_member (config, member)
                     && JSON_NODE_HOLDS_ARRAY (json_object_get_member (config, member))
                     ? json_object_get_array_member (config, member)
                     : NULL;
  guint n = a ? json_array_get_length (a) : 0;
  char **v = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    v[i] = g_strdup (json_array_get_string_element (a, i));
  return v;
}

static void
config_set_strv (JsonObject *config, const char *member, char *const *v)
{
  JsonArray *a = json_array_new ();
  for (; v && *v; v++)
    json_array_add_string_element (a, *v);
  json_object_set_array_member (config, member, a);
}

/* @member made an object when it is none; @key (unless NULL) set to {}
 * in it (ExposedPorts, Volumes). */
static void
config_set_key (JsonObject *config, const char *member, const char *key)
{
  if (!json_object_has_member (config, member)
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (config, member)))
    json_object_set_object_member (config, member, json_object_new ());
  if (key)
    json_object_set_object_member (json_object_get_object_member (config, member), key,
                                   json_object_new ());
}

/* "K=V" (or "K": empty) into Labels. */
static void
config_set_label (JsonObject *config, const char *kv)
{
  g_autofree char *k = g_strndup (kv, strcspn (kv, "="));
  const char *v = strchr (kv, '=');
  config_set_key (config, "Labels", NULL);
  json_object_set_string_member (json_object_get_object_member (config, "Labels"), k,
                                 v ? v + 1 : "");
}

static const char *
config_string (JsonObject *config, const char *member)
{
  JsonNode *n = json_object_get_member (config, member);
  return n && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : NULL;
}

/* What $VAR sees now: the stage's ARGs, then the config's Env (ENV wins). */
static char **
build_vars (Build *b)
{
  g_autoptr (GPtrArray) v = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *args = b->config ? b->args : b->global_args;
  g_auto (GStrv) env = b->config ? config_strv (b->config, "Env") : NULL;
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (v, g_strdup (args->pdata[i]));
  for (char **e = env; e && *e; e++)
    g_ptr_array_add (v, g_strdup (*e));
  g_ptr_array_add (v, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&v), FALSE);
}

/* One word (WORKDIR, USER, STOPSIGNAL): the words joined by a space. */
static char *
build_word (Build *b, const char *text, GError **error)
{
  g_auto (GStrv) vars = build_vars (b);
  g_auto (GStrv) w = containerfile_words (text, vars, error);
  return w ? g_strjoinv (" ", w) : NULL;
}

static char **
shell_form (Build *b, const CfInstruction *ins)
{
  g_autoptr (GStrvBuilder) sb = g_strv_builder_new ();
  static const char *const sh[] = { "/bin/sh", "-c", NULL };
  if (ins->exec)
    return g_strdupv (ins->exec);
  for (char *const *a = b->shell ? b->shell : (char *const *) sh; *a; a++)
    g_strv_builder_add (sb, *a);
  g_strv_builder_add (sb, ins->args);
  return g_strv_builder_end (sb);
}

/* The working container, made on first need as `create` makes one. */
static gboolean
ensure_container (Build *b, GError **error)
{
  const ContainersConf *conf = &b->g->conf;
  g_autoptr (ContainerConfig) c = NULL;
  g_auto (GStrv) env = g_get_environ ();
  char *command[] = { "/bin/sh", NULL };
  RunOpts o = { 0 };
  gboolean ok;

  if (b->work)
    return TRUE;
  run_opts_defaults (&o, conf);
  o.cap_add = g_strdupv (b->cap_add);
  o.network = g_strdup (b->network);
  o.entrypoint = g_strdup ("");
  /* RUN's output is the build's, not a container log (buildah keeps none) */
  o.log_driver = g_strdup ("none");
  c = g_new0 (ContainerConfig, 1);
  c->id = container_new_id ();
  c->name = g_strdup_printf ("%.12s-working-container", c->id);
  c->created = g_get_real_time () / G_USEC_PER_SEC;
  if (b->run_img)
    {
      c->image = g_strdup (b->run_img->id);
      c->image_id = g_strdup (b->run_img->id);
      c->layer_dirs = g_strdupv (b->run_img->layer_dirs);
    }
  {
    const RunInputs in = {
      .root = b->g->root,
      .img = b->run_img,
      .command = command,
      .env = env,
      .journal_socket = LOG_JOURNAL_SOCKET,
      .conf = conf,
    };
    ok = run_config_build (&o, &in, c, error);
  }
  run_opts_clear (&o);
  if (!ok || !store_lock (b->store, error))
    return FALSE;
  /* under the store lock, as run: rmi sees the container or no image */
  {
    g_autoptr (StoreRunImage) still
        = b->run_img ? store_lookup_run_image (b->store, b->run_img->id, error) : NULL;
    ok = (!b->run_img || still)
         && container_create_record (c, b->g->root, b->g->runroot, FALSE, NULL, NULL, error);
    store_unlock (b->store);
  }
  if (ok)
    b->work = g_steal_pointer (&c);
  return ok;
}

static gboolean
do_from (Build *b, const CfInstruction *ins, GError **error)
{
  g_auto (GStrv) vars = build_vars (b);
  g_auto (GStrv) w = containerfile_words (ins->args, vars, error);
  if (!w)
    return FALSE;
  if (ins->flags[0])
    return fail (error, "FROM %s is not supported", ins->flags[0]);
  if (!w[0] || (w[1] && !(g_ascii_strcasecmp (w[1], "AS") == 0 && w[2] && !w[3])))
    return fail (error, "FROM takes IMAGE [AS NAME]");
  if (g_str_equal (w[0], "scratch"))
    b->config = json_object_new ();
  else
    {
      JsonNode *node;
      if (!(b->run_img = cli_run_image (b->store, w[0], b->pull, NULL, NULL, b->authfile, error))
          || !(b->base = store_lookup_image (b->store, b->run_img->id, error)))
        return FALSE;
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (node, store_image_get_config (b->base));
      {
        JsonNode *copy = json_node_copy (node);
        b->config = json_object_ref (json_node_get_object (copy));
        json_node_unref (copy);
      }
      json_node_unref (node);
    }
  return TRUE;
}

/* ARG NAME[=DEFAULT]...: a --build-arg wins over the default. */
static gboolean
do_arg (Build *b, const CfInstruction *ins, GError **error)
{
  g_auto (GStrv) vars = build_vars (b);
  g_auto (GStrv) w = containerfile_words (ins->args, vars, error);
  GPtrArray *list = b->config ? b->args : b->global_args;
  if (!w)
    return FALSE;
  for (char **a = w; *a; a++)
    {
      g_autofree char *name = g_strndup (*a, strcspn (*a, "="));
      const char *given = NULL, *dflt = strchr (*a, '=');
      if (!*name)
        return fail (error, "ARG \"%s\": no name", *a);
      given = container_strv_get (b->build_args, name);
      if (given)
        g_hash_table_add (b->used_args, g_strdup (name));
      if (!given && !dflt && b->config)
        {
          /* a global ARG's value reaches the stage when declared again */
          for (guint i = 0; i < b->global_args->len; i++)
            {
              const char *g = b->global_args->pdata[i];
              if (strncmp (g, name, strlen (name)) == 0 && g[strlen (name)] == '=')
                given = g + strlen (name) + 1;
            }
        }
      if (given)
        {
          g_autofree char *kv = g_strconcat (name, "=", given, NULL);
          kv_set (list, kv);
        }
      else if (dflt)
        kv_set (list, *a);
    }
  return TRUE;
}

static gboolean
do_run (Build *b, const CfInstruction *ins, gboolean quiet, GError **error)
{
  g_autoptr (GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) cenv = config_strv (b->config, "Env");
  ContainerConfig *c;
  const char *user, *wd;
  int code, saved = -1;

  if (ins->flags[0])
    return fail (error, "RUN %s is not supported", ins->flags[0]);
  if (!b->run_img)
    return fail (error, "RUN in an image FROM scratch is not supported (it has no layers to run)");
  if (!ensure_container (b, error))
    return FALSE;
  c = b->work;
  /* the ARGs reach the command as variables, ENV overriding them */
  for (guint i = 0; i < b->args->len; i++)
    kv_set (env, b->args->pdata[i]);
  if (!container_strv_get (cenv, "PATH"))
    kv_set (env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (char **e = cenv; *e; e++)
    kv_set (env, *e);
  g_ptr_array_add (env, NULL);
  g_strfreev (c->env);
  c->env = (char **) g_ptr_array_free (g_steal_pointer (&env), FALSE);
  g_strfreev (c->argv);
  c->argv = shell_form (b, ins);
  user = config_string (b->config, "User");
  wd = config_string (b->config, "WorkingDir");
  g_free (c->user);
  c->user = g_strdup (user && *user ? user : NULL);
  g_free (c->workdir);
  c->workdir = g_strdup (wd && *wd ? wd : NULL);
  c->workdir_must_exist = FALSE;
  fflush (stdout);
  if (quiet)
    {
      /* -q: the id alone on stdout; the command's output goes to stderr */
      saved = dup (STDOUT_FILENO);
      dup2 (STDERR_FILENO, STDOUT_FILENO);
    }
  code = launch_foreground (&b->g->launch, c, LAUNCH_ATTACH_OUTPUT, error);
  if (saved >= 0)
    {
      dup2 (saved, STDOUT_FILENO);
      close (saved);
    }
  if (code < 0)
    return FALSE;
  if (code != 0)
    {
      g_set_error (error, SPAWN_ERROR, code, "while running runtime: exit status %d", code);
      return FALSE;
    }
  return TRUE;
}

static gboolean
has_glob (const char *s)
{
  return strpbrk (s, "*?[") != NULL;
}

static gboolean
is_archive_name (const char *s)
{
  static const char *const ext[] = { ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz",
                                     ".txz", ".tar.zst", NULL };
  for (const char *const *e = ext; *e; e++)
    if (g_str_has_suffix (s, *e))
      return TRUE;
  return FALSE;
}

/* An absolute path in the container: relative ones are under WORKDIR. */
static char *
container_path (Build *b, const char *p)
{
  const char *wd = config_string (b->config, "WorkingDir");
  g_autofree char *abs = g_path_is_absolute (p) ? g_strdup (p)
                                                : g_build_filename (wd && *wd ? wd : "/", p, NULL);
  return g_canonicalize_filename (abs, "/");
}

static gboolean
do_copy (Build *b, const CfInstruction *ins, GError **error)
{
  g_auto (GStrv) vars = build_vars (b);
  g_auto (GStrv) w = ins->exec ? g_strdupv (ins->exec) : containerfile_words (ins->args, vars, error);
  g_autoptr (GPtrArray) sources = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dest = NULL;
  const char *chmod_s = containerfile_flag (ins, "chmod");
  CopyRequest r = { .chmod = -1 };
  guint n;

  if (!w)
    return FALSE;
  for (guint i = 0; ins->flags[i]; i++)
    if (!g_str_has_prefix (ins->flags[i], "--chown=") && !g_str_has_prefix (ins->flags[i], "--chmod="))
      return fail (error, "%s %s is not supported (podunit build has one stage)", ins->keyword,
                   ins->flags[i]);
  n = g_strv_length (w);
  if (n < 2)
    return fail (error, "%s requires at least two arguments: SOURCE... DEST", ins->keyword);
  if (!b->context)
    return fail (error, "%s needs a build context (the Containerfile came from stdin without one)",
                 ins->keyword);
  if (geteuid () != 0)
    return fail (error, "%s: rootless podunit build cannot copy files yet", ins->keyword);
  if (chmod_s)
    {
      char *end;
      guint64 m = g_ascii_strtoull (chmod_s, &end, 8);
      if (!*chmod_s || *end || m > 07777)
        return fail (error, "--chmod=%s: not an octal mode", chmod_s);
      r.chmod = (int) m;
    }
  for (guint i = 0; i + 1 < n; i++)
    {
      const char *s = w[i];
      if (strstr (s, "://"))
        return fail (error, "%s %s: a URL as source is not supported (no network in podunit build)",
                     ins->keyword, s);
      if (ins->kind == CF_ADD && is_archive_name (s))
        return fail (error, "ADD %s: extracting archives is not supported; COPY it and RUN tar",
                     s);
      if (has_glob (s))
        {
          g_autofree char *pattern = g_build_filename (b->context, s, NULL);
          glob_t gl;
          gsize plen = strlen (b->context);
          if (glob (pattern, 0, NULL, &gl) != 0)
            return fail (error, "%s %s: no file in the build context matches", ins->keyword, s);
          for (gsize k = 0; k < gl.gl_pathc; k++)
            g_ptr_array_add (sources, g_strdup (gl.gl_pathv[k] + plen + (gl.gl_pathv[k][plen] == '/')));
          globfree (&gl);
        }
      else
        {
          g_autofree char *p = g_build_filename (b->context, s, NULL);
          struct stat st;
          if (stat (p, &st) < 0)
            return fail (error, "%s %s: %s in the build context %s", ins->keyword, s,
                         g_strerror (errno), b->context);
          g_ptr_array_add (sources, g_strdup (s));
        }
    }
  dest = container_path (b, w[n - 1]);
  r.dest_is_dir = g_str_has_suffix (w[n - 1], "/") || g_str_equal (w[n - 1], ".");
  if (sources->len > 1 && !r.dest_is_dir)
    return fail (error, "%s with more than one source: the destination must be a directory "
                 "ending in /", ins->keyword);
  g_ptr_array_add (sources, NULL);
  r.sources = (char **) sources->pdata;
  r.dest = dest;
  r.chown = containerfile_flag (ins, "chown");
  return ensure_container (b, error)
         && container_copy_in (b->g->root, b->g->runroot, b->work, b->context, &r, error);
}

static gboolean
do_pairs (Build *b, const CfInstruction *ins, GError **error)
{
  g_auto (GStrv) vars = build_vars (b);
  g_auto (GStrv) p = containerfile_pairs (ins->args, vars, error);
  if (!p)
    return FALSE;
  if (ins->kind == CF_ENV)
    {
      g_auto (GStrv) env = config_strv (b->config, "Env");
      g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
      for (char **e = env; *e; e++)
        g_ptr_array_add (list, g_strdup (*e));
      for (char **kv = p; *kv; kv++)
        kv_set (list, *kv);
      g_ptr_array_add (list, NULL);
      config_set_strv (b->config, "Env", (char **) list->pdata);
      return TRUE;
    }
  for (char **kv = p; *kv; kv++)
    config_set_label (b->config, *kv);
  return TRUE;
}

static gboolean
run_instruction (Build *b, const CfInstruction *ins, gboolean quiet, GError **error)
{
  switch (ins->kind)
    {
    case CF_FROM:
      return do_from (b, ins, error);
    case CF_ARG:
      return do_arg (b, ins, error);
    case CF_RUN:
      return do_run (b, ins, quiet, error);
    case CF_COPY:
    case CF_ADD:
      return do_copy (b, ins, error);
    case CF_ENV:
    case CF_LABEL:
      return do_pairs (b, ins, error);
    case CF_CMD:
    case CF_ENTRYPOINT:
      {
        g_auto (GStrv) argv = ins->args[0] ? shell_form (b, ins) : g_new0 (char *, 1);
        if (ins->kind == CF_CMD)
          b->cmd_set = TRUE;
        /* as Docker: an ENTRYPOINT drops the CMD of the base image */
        else if (!b->cmd_set)
          json_object_remove_member (b->config, "Cmd");
        config_set_strv (b->config, ins->kind == CF_CMD ? "Cmd" : "Entrypoint", argv);
        return TRUE;
      }
    case CF_SHELL:
      if (!ins->exec || !ins->exec[0])
        return fail (error, "SHELL requires a JSON array: SHELL [\"/bin/sh\", \"-c\"]");
      g_strfreev (b->shell);
      b->shell = g_strdupv (ins->exec);
      return TRUE;
    case CF_WORKDIR:
      {
        g_autofree char *w = build_word (b, ins->args, error);
        g_autofree char *path = w ? container_path (b, w) : NULL;
        CopyRequest r = { .dest = path, .chmod = -1, .mkdir_only = TRUE };
        if (!path)
          return FALSE;
        json_object_set_string_member (b->config, "WorkingDir", path);
        /* created now, as buildah does (rootless: at the first RUN) */
        if (geteuid () == 0)
          return ensure_container (b, error)
                 && container_copy_in (b->g->root, b->g->runroot, b->work, NULL, &r, error);
        return TRUE;
      }
    case CF_USER:
    case CF_STOPSIGNAL:
      {
        g_autofree char *w = build_word (b, ins->args, error);
        if (!w)
          return FALSE;
        if (ins->kind == CF_STOPSIGNAL && container_parse_signal (w) < 0)
          return fail (error, "STOPSIGNAL %s: unknown signal", w);
        json_object_set_string_member (b->config, ins->kind == CF_USER ? "User" : "StopSignal", w);
        return TRUE;
      }
    case CF_EXPOSE:
      {
        g_auto (GStrv) vars = build_vars (b);
        g_auto (GStrv) w = containerfile_words (ins->args, vars, error);
        if (!w)
          return FALSE;
        for (char **p = w; *p; p++)
          {
            g_autofree char *key = strchr (*p, '/') ? g_ascii_strdown (*p, -1)
                                                    : g_strconcat (*p, "/tcp", NULL);
            char *end;
            guint64 port = g_ascii_strtoull (key, &end, 10);
            if (end == key || port == 0 || port > 65535
                || !(g_str_equal (end, "/tcp") || g_str_equal (end, "/udp")
                     || g_str_equal (end, "/sctp")))
              return fail (error, "EXPOSE %s: not PORT[/tcp|/udp|/sctp]", *p);
            config_set_key (b->config, "ExposedPorts", key);
          }
        return TRUE;
      }
    case CF_VOLUME:
      {
        g_auto (GStrv) vars = build_vars (b);
        g_auto (GStrv) w = ins->exec ? g_strdupv (ins->exec) : containerfile_words (ins->args, vars, error);
        if (!w)
          return FALSE;
        for (char **p = w; *p; p++)
          {
            if (!g_path_is_absolute (*p))
              return fail (error, "VOLUME %s: not an absolute path", *p);
            config_set_key (b->config, "Volumes", *p);
          }
        return TRUE;
      }
    case CF_MAINTAINER:
      g_free (b->author);
      b->author = g_strdup (ins->args);
      return TRUE;
    }
  return fail (error, "%s: not handled", ins->keyword);
}

/* The runtime's own entries in the upper dir (mount targets it made where
 * the image had none, /etc/mtab) are not the build's: podman leaves them
 * out of a diff (cli/diff.c), buildah out of its layer. */
static void
strip_runtime_files (Build *b, const char *upper)
{
  static const char *const files[] = { "etc/hostname", "etc/hosts", "etc/resolv.conf",
                                       "run/.containerenv", "etc/mtab", NULL };
  static const char *const dirs[] = { "run", "etc", "dev", "proc", "sys", NULL };
  char *const *lowers = b->run_img ? b->run_img->layer_dirs : NULL;
  for (const char *const *f = files; *f; f++)
    {
      g_autofree char *p = g_build_filename (upper, *f, NULL);
      struct stat st;
      gboolean in_lower = FALSE;
      for (char *const *l = lowers; l && *l && !in_lower; l++)
        {
          g_autofree char *lp = g_build_filename (*l, *f, NULL);
          in_lower = lstat (lp, &st) == 0;
        }
      if (!in_lower && lstat (p, &st) == 0
          && ((S_ISREG (st.st_mode) && st.st_size == 0) || S_ISLNK (st.st_mode)))
        unlink (p);
    }
  for (const char *const *d = dirs; *d; d++)
    {
      g_autofree char *p = g_build_filename (upper, *d, NULL);
      gboolean in_lower = FALSE;
      for (char *const *l = lowers; l && *l && !in_lower; l++)
        {
          g_autofree char *lp = g_build_filename (*l, *d, NULL);
          in_lower = g_file_test (lp, G_FILE_TEST_EXISTS);
        }
      if (!in_lower)
        rmdir (p);
    }
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  return !d || g_dir_read_name (d) == NULL;
}

static StoreImage *
commit (Build *b, char **tags, char **labels, GError **error)
{
  g_autofree char *upper = NULL;
  StoreImage *img;
  for (char **l = labels; l && *l; l++)
    config_set_label (b->config, *l);
  if (b->work)
    {
      g_autofree char *cdir = container_dir (b->g->root, b->work->id);
      upper = g_build_filename (cdir, "upper", NULL);
      strip_runtime_files (b, upper);
      if (dir_is_empty (upper))
        g_clear_pointer (&upper, g_free);
    }
  img = store_create_image (b->store, b->base, upper, b->config, b->author, "podunit build",
                            tags && tags[0] ? tags[0] : NULL, error);
  for (char **t = tags && tags[0] ? tags + 1 : NULL; img && t && *t; t++)
    if (!store_tag_image (b->store, store_image_get_id (img), *t, error))
      {
        /* not half an image: the build made it, the build takes it back */
        store_remove_image (b->store, store_image_get_id (img), NULL);
        store_image_unref (img);
        return NULL;
      }
  return img;
}

static gboolean pull_given;
static char *pull_value;

static gboolean
option_pull (const char *name, const char *value, gpointer data, GError **error)
{
  (void) name, (void) data;
  pull_given = TRUE;
  g_free (pull_value);
  pull_value = g_strdup (value);
  (void) error;
  return TRUE;
}

/* podman build's --pull: bare or true is "always", false "missing". */
static const char *
pull_policy (GError **error)
{
  const char *v = pull_value;
  if (!pull_given)
    return "missing";
  if (!v || g_ascii_strcasecmp (v, "true") == 0)
    return "always";
  if (g_ascii_strcasecmp (v, "false") == 0)
    return "missing";
  if (g_str_equal (v, "always") || g_str_equal (v, "missing") || g_str_equal (v, "never")
      || g_str_equal (v, "newer"))
    return v;
  fail (error, "--pull %s: invalid pull policy (always, missing, never, newer, true or false)", v);
  return NULL;
}

static char *
read_containerfile (const char *file, const char *context, char **shown, GError **error)
{
  char *text = NULL;
  if (file && g_str_equal (file, "-"))
    {
      g_autoptr (GString) s = g_string_new (NULL);
      char buf[4096];
      ssize_t n;
      while ((n = read (STDIN_FILENO, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
          g_string_append_len (s, buf, n);
      *shown = g_strdup ("stdin");
      return g_string_free (g_steal_pointer (&s), FALSE);
    }
  if (file)
    {
      /* as podman: the path as given, else relative to the context */
      g_autofree char *in_ctx = context ? g_build_filename (context, file, NULL) : NULL;
      const char *p = g_file_test (file, G_FILE_TEST_EXISTS) || !in_ctx ? file : in_ctx;
      if (!g_file_get_contents (p, &text, NULL, error))
        return NULL;
      *shown = g_strdup (p);
      return text;
    }
  for (const char *const *n = (const char *const[]){ "Containerfile", "Dockerfile", NULL }; *n;
       n++)
    {
      g_autofree char *p = g_build_filename (context, *n, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
        {
          if (!g_file_get_contents (p, &text, NULL, error))
            return NULL;
          *shown = g_steal_pointer (&p);
          return text;
        }
    }
  fail (error, "no Containerfile or Dockerfile specified or found in context directory, %s",
        context);
  return NULL;
}

int
cli_build (CliGlobal *g, int argc, char **argv)
{
  g_auto (GStrv) tags = NULL, cap_add = NULL, build_args = NULL, labels = NULL;
  g_autofree char *file = NULL, *network = NULL, *format = NULL, *authfile = NULL;
  gboolean quiet = FALSE, layers = TRUE, no_cache = FALSE;
  const GOptionEntry entries[] = {
    { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &tags, "Name of the image (repeatable)", "NAME" },
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &file, "Containerfile (- for stdin)", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the image id", NULL },
    { "layers", 0, 0, G_OPTION_ARG_NONE, &layers, "Accepted (podunit build caches nothing)",
      NULL },
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, "Accepted (nothing is cached)", NULL },
    { "cap-add", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cap_add, "Capability for RUN", "CAP" },
    { "build-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &build_args, "ARG value", "KEY=VALUE" },
    { "label", 0, 0, G_OPTION_ARG_STRING_ARRAY, &labels, "Image label", "KEY=VALUE" },
    { "pull", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, option_pull,
      "Pull policy for FROM (always, missing, never, newer)", "POLICY" },
    { "network", 0, 0, G_OPTION_ARG_STRING, &network, "Network mode for RUN", "MODE" },
    { "authfile", 0, 0, G_OPTION_ARG_FILENAME, &authfile, "Registry credentials for FROM's pull",
      "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "oci (podunit writes OCI images only)",
      "FORMAT" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (Containerfile) cf = NULL;
  g_autoptr (StoreImage) img = NULL;
  g_autofree char *text = NULL, *shown = NULL, *context = NULL;
  Build b = { .g = g };
  guint total = 0, step = 0;
  int status = EXIT_PODUNIT;

  pull_given = FALSE;
  g_clear_pointer (&pull_value, g_free);
  if (!cli_parse_options (&argc, &argv, entries, "[CONTEXT]", FALSE))
    return EXIT_PODUNIT;
  if (!cli_check_authfile (authfile, &error))
    return cli_fail (error);
  (void) layers, (void) no_cache;
  if (format && !g_str_equal (format, "oci"))
    {
      cli_error ("build: --format %s is not supported: podunit writes OCI images only", format);
      return EXIT_PODUNIT;
    }
  if (argc > 2)
    {
      cli_error ("build: takes at most one CONTEXT");
      return EXIT_PODUNIT;
    }
  for (char **a = build_args; a && *a; a++)
    if (!strchr (*a, '='))
      {
        cli_error ("--build-arg %s: not KEY=VALUE", *a);
        return EXIT_PODUNIT;
      }
  for (char **t = tags; t && *t; t++)
    {
      g_autofree char *n = store_normalize_name (*t, &error);
      if (!n)
        {
          cli_error ("tag %s: %s", *t, error->message);
          return EXIT_PODUNIT;
        }
    }
  if (argc == 2 && g_str_equal (argv[1], "-"))
    {
      if (file && !g_str_equal (file, "-"))
        {
          cli_error ("build: - (a Containerfile on stdin) and -f %s cannot be used together", file);
          return EXIT_PODUNIT;
        }
      g_free (file);
      file = g_strdup ("-");
    }
  else
    {
      const char *ctx = argc == 2 ? argv[1] : ".";
      if (strstr (ctx, "://") || g_str_has_prefix (ctx, "git@"))
        {
          cli_error ("build: context %s: only a local directory is supported", ctx);
          return EXIT_PODUNIT;
        }
      if (!g_file_test (ctx, G_FILE_TEST_IS_DIR))
        {
          cli_error ("build: context %s: not a directory", ctx);
          return EXIT_PODUNIT;
        }
      context = g_canonicalize_filename (ctx, NULL);
    }
  text = read_containerfile (file, context, &shown, &error);
  if (!text)
    return cli_fail (error);
  b.file = shown;
  if (!(cf = containerfile_parse (text, &error)))
    {
      /* "N: what" names the line; "no FROM instruction" none */
      gboolean line = g_ascii_isdigit (error->message[0]);
      cli_error ("%s:%s%s", shown, line ? "" : " ", error->message);
      return EXIT_PODUNIT;
    }
  b.context = context;
  b.network = network;
  b.authfile = authfile;
  b.cap_add = cap_add;
  b.build_args = build_args;
  b.used_args = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  b.global_args = g_ptr_array_new_with_free_func (g_free);
  b.args = g_ptr_array_new_with_free_func (g_free);
  if (!(b.pull = pull_policy (&error)) || !(b.store = cli_store_open (g, &error)))
    {
      build_clear (&b);
      return cli_fail (error);
    }
  for (guint i = 0; i < cf->instructions->len; i++)
    if (total || ((CfInstruction *) cf->instructions->pdata[i])->kind == CF_FROM)
      total++;
  for (guint i = 0; i < cf->instructions->len; i++)
    {
      const CfInstruction *ins = cf->instructions->pdata[i];
      if (b.config || ins->kind == CF_FROM)
        {
          step++;
          if (!quiet)
            {
              g_autoptr (GString) line = g_string_new (ins->keyword);
              for (guint f = 0; ins->flags[f]; f++)
                g_string_append_printf (line, " %s", ins->flags[f]);
              if (*ins->args)
                g_string_append_printf (line, " %s", ins->args);
              printf ("STEP %u/%u: %s\n", step, total, line->str);
              fflush (stdout);
            }
        }
      if (!run_instruction (&b, ins, quiet, &error))
        {
          g_autoptr (GString) what = g_string_new (ins->keyword);
          if (*ins->args)
            g_string_append_printf (what, " %s", ins->args);
          cli_error ("%s:%u: building at STEP \"%s\": %s", shown, ins->line, what->str,
                     error->message);
          /* a RUN that failed: its exit status, as podman's */
          if (g_error_matches (error, SPAWN_ERROR, error->code) && ins->kind == CF_RUN
              && error->code > 0 && g_str_has_prefix (error->message, "while running"))
            status = error->code;
          build_clear (&b);
          return status;
        }
    }
  for (char **a = build_args; a && *a; a++)
    {
      g_autofree char *k = g_strndup (*a, strcspn (*a, "="));
      if (!g_hash_table_contains (b.used_args, k))
        cli_warn ("one or more build args were not consumed: [%s]", k);
    }
  if (!quiet)
    {
      printf ("COMMIT%s%s\n", tags && tags[0] ? " " : "", tags && tags[0] ? tags[0] : "");
      fflush (stdout);
    }
  img = commit (&b, tags, labels, &error);
  build_clear (&b);
  if (!img)
    return cli_fail (error);
  if (!quiet)
    {
      printf ("--> %.12s\n", store_image_get_id (img));
      for (char **t = tags; t && *t; t++)
        {
          g_autofree char *n = store_normalize_name (*t, NULL);
          printf ("Successfully tagged %s\n", n);
        }
    }
  printf ("%s\n", store_image_get_id (img));
  return 0;
}
