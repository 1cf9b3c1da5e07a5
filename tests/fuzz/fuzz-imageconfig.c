/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for image configs: an OCI image config blob read as
 * the store reads one (store_parse_image_config: created, rootfs.diff_ids,
 * the "config" object), what `run` takes from it (Env, Entrypoint, Cmd,
 * WorkingDir, User, StopSignal, Labels, ExposedPorts), run's cache of that, the run
 * steps over it (environment merge, command, labels, stop signal), the
 * record written of the result, and a "Healthcheck" object through the
 * health check reader (health.h).
 *
 * The same bytes are also read as a run.cache file (a GVariant from disk,
 * untrusted), which a damaged or hostile store may hold.
 *
 * Beyond "no crash, no leak, no sanitizer report, no GLib critical" it
 * checks: a refusal has a message; diff ids are sha256 digests; the run
 * cache of a config reads back to the same fields; the record reads back
 * to the same bytes; the image's Env keys appear once in the result. */
#include "cli/run-config.h"
#include "container/container.h"
#include "image/digest.h"
#include "image/store.h"
#include "systemd/health.h"
#include "fuzz-check.h"

#include <stdint.h>
#include <string.h>

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* A GLib critical is a bug (json-glib's getters on the wrong node type,
   * a NULL where none may be): make it abort. */
  fuzz_glib_logs_abort ();
  return 0;
}

static void
check_strv_equal (char **a, char **b, const char *what)
{
  CHECK ((a == NULL) == (b == NULL), "%s: present on one side only", what);
  if (!a)
    return;
  CHECK (g_strv_length (a) == g_strv_length (b), "%s: %u vs %u", what, g_strv_length (a),
         g_strv_length (b));
  for (guint i = 0; a[i]; i++)
    CHECK (strcmp (a[i], b[i]) == 0, "%s[%u]: '%s' vs '%s'", what, i, a[i], b[i]);
}

static void
check_str_equal (const char *a, const char *b, const char *what)
{
  CHECK (g_strcmp0 (a, b) == 0, "%s: '%s' vs '%s'", what, a ? a : "(null)", b ? b : "(null)");
}

/* run.cache: what load_run_image writes reads back as the same fields. */
static void
check_run_cache (const StoreRunImage *r, char **hexes)
{
  g_autoptr (GVariant) v = NULL;
  g_autoptr (GVariant) copy = NULL;
  g_autoptr (StoreRunImage) back = g_new0 (StoreRunImage, 1);
  g_auto (GStrv) back_hexes = NULL;

  if (!store_run_image_cacheable (r))
    return;
  v = g_variant_ref_sink (store_run_image_to_cache (r, ID, hexes));
  copy = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE ("a{sv}"),
                                                      g_variant_get_data (v), g_variant_get_size (v),
                                                      FALSE, NULL, NULL));
  CHECK (store_run_image_from_cache (copy, ID, back, &back_hexes), "own cache refused");
  check_strv_equal (hexes, back_hexes, "layers");
  check_strv_equal (r->env, back->env, "Env");
  check_strv_equal (r->entrypoint, back->entrypoint, "Entrypoint");
  check_strv_equal (r->cmd, back->cmd, "Cmd");
  check_strv_equal (r->labels, back->labels, "Labels");
  check_strv_equal (r->exposed_ports, back->exposed_ports, "ExposedPorts");
  check_str_equal (r->working_dir, back->working_dir, "WorkingDir");
  check_str_equal (r->user, back->user, "User");
  CHECK (r->has_stop_signal == back->has_stop_signal, "StopSignal presence");
  check_str_equal (r->stop_signal, back->stop_signal, "StopSignal");
}

/* The run steps over the image, with no flags, as `podunit run IMG`. */
static void
check_run_steps (const StoreRunImage *r)
{
  g_autoptr (ContainerConfig) c = g_new0 (ContainerConfig, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  RunOpts o = { .read_only_tmpfs = TRUE, .http_proxy = TRUE };
  const char *environ_[] = { "HOME=/root", "https_proxy=http://p:3128", NULL };
  char *command[] = { NULL };
  const RunInputs in = {
    .root = "/dev/null/podunit-fuzz",
    .img = r,
    .command = command,
    .env = (char **) environ_,
    .journal_socket = "/dev/null/journal",
  };

  c->id = g_strdup (ID);
  if (!run_config_build (&o, &in, c, &error))
    {
      CHECK (error != NULL && error->message[0], "run steps refused without a message");
      return;
    }
  for (char **e = c->env; *e; e++)
    {
      g_autofree char *k = g_strndup (*e, strcspn (*e, "="));
      CHECK (!g_hash_table_contains (keys, k), "environment key %s twice", k);
      g_hash_table_add (keys, g_steal_pointer (&k));
    }
  CHECK (c->argv && c->argv[0], "a command-less config was accepted");
  CHECK (c->stop_signal > 0 && c->stop_signal < 65, "stop signal %d", c->stop_signal);
  {
    g_autoptr (GVariant) v = container_config_to_variant (c);
    g_autoptr (ContainerConfig) back = container_config_from_variant (v);
    g_autoptr (GVariant) v2 = container_config_to_variant (back);
    CHECK (g_variant_is_normal_form (v), "record not in normal form");
    CHECK (g_variant_equal (v, v2), "record changed on the way back");
  }
}

static void
check_healthcheck (JsonObject *cfg)
{
  JsonNode *n = json_object_get_member (cfg, "Healthcheck");
  HealthConfig hc = { 0 };
  g_autoptr (GError) error = NULL;

  if (n == NULL)
    return;
  if (!health_config_from_json (n, &hc, &error))
    CHECK (error != NULL && error->message[0], "Healthcheck refused without a message");
  else
    {
      /* What `healthcheck run` reads back is what was read. */
      g_autoptr (JsonNode) out = health_config_to_json (&hc);
      HealthConfig again = { 0 };
      CHECK (health_config_from_json (out, &again, &error), "own health config refused: %s",
             error->message);
      check_strv_equal (hc.test, again.test, "Test");
      CHECK (hc.retries == again.retries && hc.interval_usec == again.interval_usec
                 && hc.timeout_usec == again.timeout_usec,
             "health config changed on the way back");
      health_config_clear (&again);
    }
  health_config_clear (&hc);
}

/* The bytes as a run.cache file: refused or read, never a crash. */
static void
as_cache (const uint8_t *data, size_t size)
{
  gpointer copy = g_memdup2 (data, size);
  g_autoptr (GVariant) v = g_variant_ref_sink (
      g_variant_new_from_data (G_VARIANT_TYPE ("a{sv}"), copy, size, FALSE, g_free, copy));
  g_autoptr (StoreRunImage) r = g_new0 (StoreRunImage, 1);
  g_auto (GStrv) hexes = NULL;

  if (store_run_image_from_cache (v, ID, r, &hexes))
    for (char **h = hexes; *h; h++)
      CHECK (digest_is_hex (*h), "cache layer %s accepted", *h);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) oci = NULL;
  g_auto (GStrv) diff_ids = NULL;
  g_auto (GStrv) hexes = NULL;
  g_autoptr (StoreRunImage) r = NULL;
  gint64 created = -1;
  JsonObject *cfg;

  as_cache (data, size);
  if (!store_parse_image_config ((const char *) data, size, "blob sha256:" ID, &oci, &created,
                                 &diff_ids, &error))
    {
      CHECK (error != NULL && error->message[0], "config refused without a message");
      CHECK (oci == NULL && diff_ids == NULL, "refused config with results");
      return 0;
    }
  CHECK (oci != NULL && JSON_NODE_HOLDS_OBJECT (oci) && diff_ids != NULL, "accepted, no results");
  cfg = json_object_get_object_member (json_node_get_object (oci), "config");
  CHECK (cfg != NULL, "no config object");
  hexes = g_new0 (char *, g_strv_length (diff_ids) + 1);
  for (guint i = 0; diff_ids[i]; i++)
    {
      CHECK (digest_hex (diff_ids[i], "diff id", NULL) != NULL, "diff id %s", diff_ids[i]);
      hexes[i] = g_strdup (diff_ids[i] + strlen ("sha256:"));
    }

  r = g_new0 (StoreRunImage, 1);
  r->id = g_strdup (ID);
  store_run_image_from_config (cfg, r);
  CHECK (r->labels != NULL && r->exposed_ports != NULL, "no labels or ports list");
  r->layer_dirs = g_new0 (char *, 1);
  check_run_cache (r, hexes);
  check_run_steps (r);
  check_healthcheck (cfg);
  return 0;
}
