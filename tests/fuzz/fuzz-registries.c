/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for registries.conf: the TOML subset reader
 * (runtime/image/registry/toml.c) and the model built from it
 * (registries.c). Beyond "no crash, no sanitizer report": a rejected file
 * always has a message naming the file, and every entry read can be looked
 * up by its own prefix. */
#include "image/registry/registries.h"
#include "fuzz-check.h"

GQuark store_error_quark (void);

#include <stdint.h>
#include <glib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (RegistriesConf) c = registries_conf_new ("fuzz.conf");
  g_autoptr (GError) error = NULL;
  if (!registries_conf_apply (c, (const char *)data, size, "fuzz.conf", &error))
    {
      CHECK (error != NULL, "a failure without an error");
      CHECK (g_str_has_prefix (error->message, "fuzz.conf"), "message '%s'", error->message);
      return 0;
    }
  CHECK (error == NULL, "success with an error");
  for (guint i = 0; i < c->registries->len; i++)
    {
      const RegistryEntry *e = c->registries->pdata[i];
      g_autofree char *repo = e->prefix[0] == '*' ? g_strconcat ("x", e->prefix + 1, "/r", NULL)
                                                  : g_strdup (e->prefix);
      CHECK (registries_conf_find (c, repo) != NULL, "prefix '%s' not found", e->prefix);
      g_autofree char *rw = registries_conf_rewrite (registries_conf_find (c, repo), repo);
      CHECK (rw != NULL, "no rewrite");
    }
  return 0;
}

/* digest.c reports bad digests in the store's error domain; the store
 * itself is not linked here. */
GQuark
store_error_quark (void)
{
  return g_quark_from_static_string ("podunit-store-error-quark");
}
