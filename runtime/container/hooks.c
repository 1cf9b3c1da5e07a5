/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks: read, select, record, run (see hooks.h). The matching follows
 * containers/common pkg/hooks (1.0.0/when.go): every condition set in
 * `when` must hold (0.1.0 files: any), `commands` decides when given;
 * regular expressions match anywhere in the string, as Go's MatchString. */
#include "container/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "error.h"
#include "fdio.h"
#include "sandbox/spawn.h"

G_DEFINE_QUARK (podunit-hooks-error-quark, hooks_error)

extern char **environ;

/* The runtime spec's names; "prestart" is createRuntime (podman). */
static const char *const stage_names[HOOK_N_STAGES] = {
  "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

struct _HookDef {
  OciHook hook;
  guint stages;        /* 1 << HookStage */
  int always;          /* -1: not set */
  int has_bind_mounts; /* -1: not set */
  GPtrArray *ann_keys; /* GRegex, beside ann_values */
  GPtrArray *ann_values;
  GPtrArray *commands; /* GRegex */
  gboolean any;        /* 0.1.0: one condition is enough */
};

static void
oci_hook_clear (OciHook *h)
{
  g_free (h->file);
  g_free (h->path);
  g_strfreev (h->args);
  g_strfreev (h->env);
  memset (h, 0, sizeof *h);
}

static void
oci_hook_free (gpointer p)
{
  if (p)
    oci_hook_clear (p);
  g_free (p);
}

static OciHook *
oci_hook_copy (const OciHook *h, const char *file)
{
  OciHook *c = g_new0 (OciHook, 1);
  c->file = g_strdup (file ? file : h->file);
  c->path = g_strdup (h->path);
  c->args = g_strdupv (h->args);
  c->env = g_strdupv (h->env);
  c->timeout = h->timeout;
  return c;
}

void
hook_def_free (HookDef *d)
{
  if (!d)
    return;
  oci_hook_clear (&d->hook);
  g_clear_pointer (&d->ann_keys, g_ptr_array_unref);
  g_clear_pointer (&d->ann_values, g_ptr_array_unref);
  g_clear_pointer (&d->commands, g_ptr_array_unref);
  g_free (d);
}

const char *
hook_def_path (const HookDef *d)
{
  return d->hook.path;
}

static gboolean
invalid (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
static gboolean
invalid (GError **error, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *m = NULL;
  va_start (ap, fmt);
  m = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, HOOKS_ERROR, HOOKS_ERROR_INVALID, m);
  return FALSE;
}

/* An optional member of type @type (JSON_NODE_VALUE: also @vtype); NULL
 * when absent or null. */
static JsonNode *
member (JsonObject *o, const char *key, JsonNodeType type, GType vtype, const char *what,
        GError **error)
{
  JsonNode *n = json_object_get_member (o, key);
  if (!n || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  if (JSON_NODE_TYPE (n) == type
      && (type != JSON_NODE_VALUE || json_node_get_value_type (n) == vtype))
    return n;
  invalid (error, "%s: expected %s", key, what);
  return NULL;
}

#define MEMBER(o, key, type, vtype, what)                                                          \
  ((n = member (o, key, type, vtype, what, error)) != NULL || *error == NULL)

static gboolean
strv_member (JsonObject *o, const char *key, char ***out, GError **error)
{
  JsonNode *n;
  JsonArray *a;
  g_autoptr (GPtrArray) v = g_ptr_array_new_with_free_func (g_free);
  if (!MEMBER (o, key, JSON_NODE_ARRAY, 0, "an array of strings"))
    return FALSE;
  if (!n)
    return TRUE;
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return invalid (error, "%s: expected an array of strings", key);
      g_ptr_array_add (v, g_strdup (json_node_get_string (e)));
    }
  g_ptr_array_add (v, NULL);
  g_strfreev (*out);
  *out = (char **) g_ptr_array_free (g_steal_pointer (&v), FALSE);
  return TRUE;
}

static GRegex *
compile (const char *pattern, const char *what, GError **error)
{
  g_autoptr (GError) local = NULL;
  GRegex *r = g_regex_new (pattern, 0, 0, &local);
  if (!r)
    invalid (error, "invalid %s \"%s\": %s", what, pattern, local->message);
  return r;
}

static gboolean
add_stages (HookDef *d, char **stages, GError **error)
{
  for (char **s = stages; *s; s++)
    {
      int i;
      if (strcmp (*s, "prestart") == 0)
        i = HOOK_CREATE_RUNTIME;
      else
        for (i = 0; i < HOOK_N_STAGES && strcmp (stage_names[i], *s) != 0; i++)
          ;
      if (i == HOOK_N_STAGES)
        return strcmp (*s, "precreate") == 0
                   ? invalid (error, "stage \"precreate\" (podman's runtime-config filter) is not "
                                     "supported by podunit")
                   : invalid (error, "unknown stage \"%s\"", *s);
      d->stages |= 1u << i;
    }
  return TRUE;
}

static gboolean
parse_hook_entry (JsonObject *h, OciHook *out, GError **error)
{
  JsonNode *n;
  if (!MEMBER (h, "path", JSON_NODE_VALUE, G_TYPE_STRING, "a string"))
    return FALSE;
  if (!n || !*json_node_get_string (n))
    return invalid (error, "missing required property: hook.path");
  out->path = g_strdup (json_node_get_string (n));
  if (!strv_member (h, "args", &out->args, error) || !strv_member (h, "env", &out->env, error))
    return FALSE;
  if (!MEMBER (h, "timeout", JSON_NODE_VALUE, G_TYPE_INT64, "an integer"))
    return FALSE;
  if (n)
    {
      gint64 t = json_node_get_int (n);
      if (t <= 0 || t > G_MAXINT)
        return invalid (error, "hook.timeout: %" G_GINT64_FORMAT " is not a positive number of "
                               "seconds", t);
      out->timeout = (int) t;
    }
  return TRUE;
}

static gboolean
parse_v1 (JsonObject *o, HookDef *d, GError **error)
{
  JsonNode *n;
  JsonObject *when;
  g_auto (GStrv) stages = NULL, commands = NULL;

  if (!MEMBER (o, "hook", JSON_NODE_OBJECT, 0, "an object"))
    return FALSE;
  if (!n)
    return invalid (error, "missing required property: hook.path");
  if (!parse_hook_entry (json_node_get_object (n), &d->hook, error))
    return FALSE;
  if (!MEMBER (o, "when", JSON_NODE_OBJECT, 0, "an object"))
    return FALSE;
  when = n ? json_node_get_object (n) : NULL;
  if (when)
    {
      if (!MEMBER (when, "always", JSON_NODE_VALUE, G_TYPE_BOOLEAN, "true or false"))
        return FALSE;
      if (n)
        d->always = json_node_get_boolean (n);
      if (!MEMBER (when, "hasBindMounts", JSON_NODE_VALUE, G_TYPE_BOOLEAN, "true or false"))
        return FALSE;
      if (n)
        d->has_bind_mounts = json_node_get_boolean (n);
      if (!MEMBER (when, "annotations", JSON_NODE_OBJECT, 0, "an object of strings"))
        return FALSE;
      if (n)
        {
          JsonObject *a = json_node_get_object (n);
          g_autoptr (GList) keys = json_object_get_members (a);
          for (GList *k = keys; k; k = k->next)
            {
              JsonNode *v = json_object_get_member (a, k->data);
              GRegex *kr, *vr;
              if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
                return invalid (error, "when.annotations: expected an object of strings");
              if (!(kr = compile (k->data, "annotation key", error)))
                return FALSE;
              g_ptr_array_add (d->ann_keys, kr);
              if (!(vr = compile (json_node_get_string (v), "annotation value", error)))
                return FALSE;
              g_ptr_array_add (d->ann_values, vr);
            }
        }
      if (!strv_member (when, "commands", &commands, error))
        return FALSE;
    }
  for (char **c = commands; c && *c; c++)
    {
      GRegex *r = compile (*c, "command", error);
      if (!r)
        return FALSE;
      g_ptr_array_add (d->commands, r);
    }
  if (!strv_member (o, "stages", &stages, error))
    return FALSE;
  if (!stages)
    return invalid (error, "missing required property: stages");
  return add_stages (d, stages, error);
}

/* The 0.1.0 schema, converted as podman does: "hook" is the path,
 * "arguments" follow it, conditions are alternatives, annotation patterns
 * match any annotation's value. */
static gboolean
parse_v0 (JsonObject *o, HookDef *d, GError **error)
{
  static const char *const pairs[][2] = { { "stages", "stage" },
                                          { "cmds", "cmd" },
                                          { "annotations", "annotation" } };
  char **lists[3] = { NULL, NULL, NULL };
  g_auto (GStrv) args = NULL;
  JsonNode *n;
  gboolean ok = FALSE;

  d->any = TRUE;
  if (!MEMBER (o, "hook", JSON_NODE_VALUE, G_TYPE_STRING, "a string"))
    return FALSE;
  if (!n)
    return invalid (error, "missing required property: hook");
  d->hook.path = g_strdup (json_node_get_string (n));
  if (!*d->hook.path)
    return invalid (error, "missing required property: hook.path");
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_auto (GStrv) a = NULL, b = NULL;
      if (!strv_member (o, pairs[i][0], &a, error) || !strv_member (o, pairs[i][1], &b, error))
        goto out;
      if (a && b)
        {
          invalid (error, "cannot set both '%s' and '%s'", pairs[i][1], pairs[i][0]);
          goto out;
        }
      lists[i] = a ? g_steal_pointer (&a) : g_steal_pointer (&b);
    }
  if (!lists[0])
    {
      invalid (error, "missing required property: stages");
      goto out;
    }
  if (!strv_member (o, "arguments", &args, error))
    goto out;
  if (args)
    {
      guint n = g_strv_length (args);
      d->hook.args = g_new0 (char *, n + 2);
      d->hook.args[0] = g_strdup (d->hook.path);
      for (guint i = 0; i < n; i++)
        d->hook.args[i + 1] = g_strdup (args[i]);
    }
  if (!MEMBER (o, "hasbindmounts", JSON_NODE_VALUE, G_TYPE_BOOLEAN, "true or false"))
    goto out;
  if (n)
    d->has_bind_mounts = json_node_get_boolean (n);
  for (char **c = lists[1]; c && *c; c++)
    {
      GRegex *r = compile (*c, "command", error);
      if (!r)
        goto out;
      g_ptr_array_add (d->commands, r);
    }
  if (lists[2])
    {
      g_autofree char *joined = g_strjoinv ("|", lists[2]);
      GRegex *kr = compile (".*", "annotation key", error), *vr;
      g_ptr_array_add (d->ann_keys, kr);
      if (!(vr = compile (joined, "annotation value", error)))
        goto out;
      g_ptr_array_add (d->ann_values, vr);
    }
  ok = add_stages (d, lists[0], error);
out:
  for (gsize i = 0; i < G_N_ELEMENTS (lists); i++)
    g_strfreev (lists[i]);
  return ok;
}

static HookDef *
parse (const char *text, gsize len, GError **error)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (HookDef) d = g_new0 (HookDef, 1);
  g_autoptr (GError) local = NULL;
  JsonNode *root, *n;
  JsonObject *o;
  const char *version = "";

  d->always = d->has_bind_mounts = -1;
  d->ann_keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_regex_unref);
  d->ann_values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_regex_unref);
  d->commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_regex_unref);
  if (!json_parser_load_from_data (p, text, (gssize) len, &local))
    return invalid (error, "%s", local->message), NULL;
  root = json_parser_get_root (p);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "not a JSON object"), NULL;
  o = json_node_get_object (root);
  if (!MEMBER (o, "version", JSON_NODE_VALUE, G_TYPE_STRING, "a string"))
    return NULL;
  if (n)
    version = json_node_get_string (n);
  if (strcmp (version, "1.0.0") == 0)
    {
      if (!parse_v1 (o, d, error))
        return NULL;
    }
  else if (strcmp (version, "0.1.0") == 0 || !*version)
    {
      if (!parse_v0 (o, d, error))
        return NULL;
    }
  else
    return invalid (error, "unrecognized hook version: \"%s\"", version), NULL;
  return g_steal_pointer (&d);
}

HookDef *
hook_def_parse (const char *text, gsize len, GError **error)
{
  /* the parsers test *error: never NULL inside */
  g_autoptr (GError) local = NULL;
  HookDef *d = parse (text, len, &local);
  if (!d)
    g_propagate_error (error, g_steal_pointer (&local));
  return d;
}

gboolean
hook_def_matches (const HookDef *d, const char *argv0, char **annotations,
                  gboolean has_bind_mounts)
{
  int matches = 0;

  if (d->always >= 0)
    {
      if (d->always)
        {
          if (d->any)
            return TRUE;
          matches++;
        }
      else if (!d->any)
        return FALSE;
    }
  if (d->has_bind_mounts >= 0)
    {
      if (d->has_bind_mounts && has_bind_mounts)
        {
          if (d->any)
            return TRUE;
          matches++;
        }
      else if (!d->any)
        return FALSE;
    }
  for (guint i = 0; i < d->ann_keys->len; i++)
    {
      gboolean match = FALSE;
      for (char **a = annotations; a && *a && !match; a++)
        {
          const char *eq = strchr (*a, '=');
          g_autofree char *key = g_strndup (*a, eq ? (gsize) (eq - *a) : strlen (*a));
          match = g_regex_match (d->ann_keys->pdata[i], key, 0, NULL)
                  && g_regex_match (d->ann_values->pdata[i], eq ? eq + 1 : "", 0, NULL);
        }
      if (match)
        {
          if (d->any)
            return TRUE;
          matches++;
        }
      else if (!d->any)
        return FALSE;
    }
  if (d->commands->len > 0)
    {
      for (guint i = 0; i < d->commands->len; i++)
        if (argv0 && g_regex_match (d->commands->pdata[i], argv0, 0, NULL))
          return TRUE;
      return FALSE;
    }
  return matches > 0;
}

HookSet *
hook_set_new (void)
{
  HookSet *s = g_new0 (HookSet, 1);
  for (int i = 0; i < HOOK_N_STAGES; i++)
    s->stage[i] = g_ptr_array_new_with_free_func (oci_hook_free);
  return s;
}

void
hook_set_free (HookSet *s)
{
  if (!s)
    return;
  for (int i = 0; i < HOOK_N_STAGES; i++)
    g_ptr_array_unref (s->stage[i]);
  g_free (s);
}

gboolean
hook_set_has (const HookSet *s, HookStage stage)
{
  return s && s->stage[stage]->len > 0;
}

gboolean
hook_set_is_empty (const HookSet *s)
{
  for (int i = 0; i < HOOK_N_STAGES; i++)
    if (hook_set_has (s, i))
      return FALSE;
  return TRUE;
}

typedef struct {
  char *name; /* the file name: masks the same name in earlier dirs */
  char *path;
} HookFile;

static void
hook_file_free (gpointer p)
{
  HookFile *f = p;
  g_free (f->name);
  g_free (f->path);
  g_free (f);
}

static gint
by_lower_name (gconstpointer a, gconstpointer b)
{
  const HookFile *x = *(HookFile *const *) a, *y = *(HookFile *const *) b;
  g_autofree char *lx = g_utf8_strdown (x->name, -1);
  g_autofree char *ly = g_utf8_strdown (y->name, -1);
  return strcmp (lx, ly);
}

/* The *.json files of @dirs, a later directory's masking an earlier one's
 * of the same name, in the order their hooks are injected. */
static GPtrArray *
list_hook_files (char **dirs, GError **error)
{
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (hook_file_free);

  for (char **dir = dirs; dir && *dir; dir++)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (GDir) d = g_dir_open (*dir, 0, &local);
      const char *e;
      if (!d)
        {
          if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            continue;
          invalid (error, "hooks directory %s: %s", *dir, local->message);
          return NULL;
        }
      while ((e = g_dir_read_name (d)))
        {
          HookFile *f;
          if (!g_str_has_suffix (e, ".json"))
            continue;
          f = g_hash_table_lookup (by_name, e);
          if (!f)
            {
              f = g_new0 (HookFile, 1);
              f->name = g_strdup (e);
              g_ptr_array_add (files, f);
              g_hash_table_insert (by_name, f->name, f);
            }
          g_free (f->path);
          f->path = g_build_filename (*dir, e, NULL);
        }
    }
  g_ptr_array_sort (files, by_lower_name);
  return g_steal_pointer (&files);
}

HookSet *
hooks_select (char **dirs, const char *argv0, char **annotations, gboolean has_bind_mounts,
              GError **error)
{
  g_autoptr (HookSet) set = hook_set_new ();
  g_autoptr (GPtrArray) files = list_hook_files (dirs, error);

  if (!files)
    return NULL;
  for (guint i = 0; i < files->len; i++)
    {
      const HookFile *f = files->pdata[i];
      g_autofree char *text = NULL;
      gsize len;
      g_autoptr (GError) local = NULL;
      g_autoptr (HookDef) d = NULL;

      if (!g_file_get_contents (f->path, &text, &len, &local))
        {
          /* a dangling symlink, or removed meanwhile: podman skips it */
          if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            continue;
          invalid (error, "parsing hook \"%s\": %s", f->path, local->message);
          return NULL;
        }
      d = hook_def_parse (text, len, &local);
      if (!d)
        {
          invalid (error, "parsing hook \"%s\": %s", f->path, local->message);
          return NULL;
        }
      /* A hook whose program is not installed is skipped, as podman
       * does (the not-exist error is ignored there). */
      if (access (d->hook.path, F_OK) < 0)
        continue;
      if (!hook_def_matches (d, argv0, annotations, has_bind_mounts))
        continue;
      for (int s = 0; s < HOOK_N_STAGES; s++)
        if (d->stages & (1u << s))
          g_ptr_array_add (set->stage[s], oci_hook_copy (&d->hook, f->path));
    }
  return g_steal_pointer (&set);
}

static void
add_strv (JsonBuilder *b, const char *name, char **v)
{
  if (!v)
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (; *v; v++)
    json_builder_add_string_value (b, *v);
  json_builder_end_array (b);
}

static char *
builder_text (JsonBuilder *b)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

char *
hook_set_to_json (const HookSet *s)
{
  g_autoptr (JsonBuilder) b = NULL;
  /* No json_ call before this: the first one loads json-glib (and gio)
   * into a run that has no hooks. */
  if (hook_set_is_empty (s))
    return NULL;
  b = json_builder_new ();
  json_builder_begin_object (b);
  for (int i = 0; i < HOOK_N_STAGES; i++)
    {
      if (!hook_set_has (s, i))
        continue;
      json_builder_set_member_name (b, stage_names[i]);
      json_builder_begin_array (b);
      for (guint k = 0; k < s->stage[i]->len; k++)
        {
          const OciHook *h = s->stage[i]->pdata[k];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "path");
          json_builder_add_string_value (b, h->path);
          add_strv (b, "args", h->args);
          add_strv (b, "env", h->env);
          if (h->timeout > 0)
            {
              json_builder_set_member_name (b, "timeout");
              json_builder_add_int_value (b, h->timeout);
            }
          json_builder_set_member_name (b, "file");
          json_builder_add_string_value (b, h->file ? h->file : "");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  return builder_text (b);
}

HookSet *
hook_set_from_json (const char *json, GError **error)
{
  g_autoptr (HookSet) s = hook_set_new ();
  g_autoptr (JsonParser) p = NULL;
  g_autoptr (GError) local = NULL;
  JsonObject *o;

  if (!json || !*json)
    return g_steal_pointer (&s);
  p = json_parser_new ();
  if (!json_parser_load_from_data (p, json, -1, &local)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    return invalid (error, "the container's recorded hooks: %s",
                    local ? local->message : "not an object"),
           NULL;
  o = json_node_get_object (json_parser_get_root (p));
  for (int i = 0; i < HOOK_N_STAGES; i++)
    {
      JsonNode *n = json_object_get_member (o, stage_names[i]);
      JsonArray *a;
      if (!n || !JSON_NODE_HOLDS_ARRAY (n))
        continue;
      a = json_node_get_array (n);
      for (guint k = 0; k < json_array_get_length (a); k++)
        {
          JsonNode *e = json_array_get_element (a, k);
          OciHook *h = g_new0 (OciHook, 1);
          g_ptr_array_add (s->stage[i], h);
          if (!JSON_NODE_HOLDS_OBJECT (e)
              || !parse_hook_entry (json_node_get_object (e), h, &local))
            return invalid (error, "the container's recorded hooks: %s",
                            local ? local->message : "not an object"),
                   NULL;
          h->file = g_strdup (json_object_get_string_member_with_default (
              json_node_get_object (e), "file", ""));
        }
    }
  return g_steal_pointer (&s);
}

char *
hooks_state_json (const char *id, const char *status, pid_t pid, const char *bundle,
                  char **annotations)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ociVersion");
  json_builder_add_string_value (b, "1.0.2");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, status);
  if (pid > 0)
    {
      json_builder_set_member_name (b, "pid");
      json_builder_add_int_value (b, pid);
    }
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, bundle ? bundle : "");
  json_builder_set_member_name (b, "annotations");
  json_builder_begin_object (b);
  for (char **a = annotations; a && *a; a++)
    {
      const char *eq = strchr (*a, '=');
      g_autofree char *key = g_strndup (*a, eq ? (gsize) (eq - *a) : strlen (*a));
      json_builder_set_member_name (b, key);
      json_builder_add_string_value (b, eq ? eq + 1 : "");
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return builder_text (b);
}

/* The hook process: stdin the state, stdout to stderr (the container's
 * output is not the hook's), signals at their defaults; in the namespaces
 * of @ns_pid when > 0 (a pid namespace takes a second fork). A failure
 * before the exec goes to @err_fd as errno. */
static G_GNUC_NORETURN void
hook_child (const OciHook *h, int in_fd, int err_fd, pid_t ns_pid)
{
  g_autoptr (GError) error = NULL;
  char *const path_only[] = { h->path, NULL };
  sigset_t none;
  int e;

  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (dup2 (in_fd, 0) < 0 || dup2 (2, 1) < 0)
    goto fail;
  if (ns_pid > 0)
    {
      pid_t inner;
      int status;
      if (!namespaces_join (ns_pid, &error))
        {
          errno = EINVAL;
          goto fail;
        }
      /* A pid namespace holds the children of who joined it. */
      inner = fork ();
      if (inner < 0)
        goto fail;
      if (inner > 0)
        {
          close (err_fd);
          while (waitpid (inner, &status, 0) < 0 && errno == EINTR)
            ;
          _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
        }
      prctl (PR_SET_PDEATHSIG, SIGKILL);
    }
  execve (h->path, h->args && h->args[0] ? h->args : path_only, h->env ? h->env : environ);
fail:
  e = errno;
  if (write (err_fd, &e, sizeof e) < 0)
    _exit (127);
  _exit (127);
}

static gboolean
failed (GError **error, const OciHook *h, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
static gboolean
failed (GError **error, const OciHook *h, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *what = NULL;
  va_start (ap, fmt);
  what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, HOOKS_ERROR, HOOKS_ERROR_FAILED, "hook %s: %s: %s",
               h->file && *h->file ? h->file : h->path, h->path, what);
  return FALSE;
}

static gboolean
run_one (const OciHook *h, const char *state, pid_t ns_pid, GError **error)
{
  int sv[2], ep[2];
  autofd int in = -1;
  autofd int errp = -1;
  autofd int pidfd = -1;
  pid_t pid;
  int status, child_errno = 0;
  gboolean timed_out = FALSE;

  /* A socket, not a pipe: a hook that does not read its stdin must not
   * SIGPIPE the runtime (send's MSG_NOSIGNAL). */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return failed (error, h, "socketpair: %s", g_strerror (errno));
  if (pipe2 (ep, O_CLOEXEC) < 0)
    {
      int e = errno;
      close (sv[0]);
      close (sv[1]);
      return failed (error, h, "pipe: %s", g_strerror (e));
    }
  in = sv[0];
  errp = ep[0];
  pid = fork ();
  if (pid == 0)
    {
      close (sv[0]);
      close (ep[0]);
      hook_child (h, sv[1], ep[1], ns_pid);
    }
  close (sv[1]);
  close (ep[1]);
  if (pid < 0)
    return failed (error, h, "fork: %s", g_strerror (errno));
  shutdown (in, SHUT_RD);
  (void) send (in, state, strlen (state), MSG_NOSIGNAL | MSG_DONTWAIT);
  close (fd_steal (&in));
  /* EOF once it exec'd; an errno when it could not */
  if (read (errp, &child_errno, sizeof child_errno) != sizeof child_errno)
    child_errno = 0;
  pidfd = syscall (SYS_pidfd_open, pid, 0);
  if (h->timeout > 0 && pidfd >= 0)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      int r;
      do
        r = poll (&p, 1, h->timeout * 1000);
      while (r < 0 && errno == EINTR);
      if (r == 0)
        {
          kill (pid, SIGKILL);
          timed_out = TRUE;
        }
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return failed (error, h, "waitpid: %s", g_strerror (errno));
  if (child_errno)
    return failed (error, h, "%s", g_strerror (child_errno));
  if (timed_out)
    return failed (error, h, "killed after its timeout of %d seconds", h->timeout);
  if (WIFSIGNALED (status))
    return failed (error, h, "killed by signal %d", WTERMSIG (status));
  if (WEXITSTATUS (status) != 0)
    return failed (error, h, "exit status %d", WEXITSTATUS (status));
  return TRUE;
}

gboolean
hooks_run (const HookSet *s, HookStage stage, const char *state, pid_t ns_pid,
           gboolean keep_going, GError **error)
{
  g_autoptr (GString) all = NULL;
  if (!hook_set_has (s, stage))
    return TRUE;
  for (guint i = 0; i < s->stage[stage]->len; i++)
    {
      g_autoptr (GError) local = NULL;
      if (run_one (s->stage[stage]->pdata[i], state, ns_pid, &local))
        continue;
      if (!keep_going)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (!all)
        all = g_string_new (local->message);
      else
        g_string_append_printf (all, "; %s", local->message);
    }
  if (all)
    {
      g_set_error_literal (error, HOOKS_ERROR, HOOKS_ERROR_FAILED, all->str);
      return FALSE;
    }
  return TRUE;
}
