/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the generator's conversions (generator/quadlet-*.c):
 * arbitrary text as a .container/.pod/.volume/... file next to a few valid
 * neighbours it can reference, converted the way podunit-generator does.
 *
 * Input: the first byte picks the unit type (bits 0-2), user mode (bit 3)
 * and whether the file is a template instance (bit 7); the rest is the
 * file. Checked beyond
 * sanitizer reports:
 * - a failed conversion has an error message, a successful one none;
 * - every generated service passes the driver's line check or fails it with
 *   a message, and its text parses again as a unit file (a value with a
 *   newline in it would split into lines systemd reads differently). */
#include "emit.h"
#include "quadlet.h"
#include "unitfile.h"
#include "fuzz-check.h"

#include <stdint.h>
#include <string.h>

#define DIR "/etc/containers/systemd/"

/* Files the fuzzed one may name (Network=net.network, Pod=app.pod, ...). */
static const struct {
  const char *name;
  const char *text;
} neighbours[] = {
  { "base.image", "[Image]\nImage=quay.io/example/base:1\n" },
  { "data.volume", "[Volume]\nVolumeName=data\n" },
  { "net.network", "[Network]\nSubnet=10.89.0.0/24\n" },
  { "db.container", "[Container]\nImage=quay.io/example/db:1\nPod=app.pod\n" },
  { "app.pod", "[Pod]\nPodName=app\n" },
};

static void
drain_warnings (QuadletContext *ctx)
{
  for (guint i = 0; i < ctx->warnings->len; i++)
    CHECK (((char *) ctx->warnings->pdata[i])[0] != '\0', "empty warning");
  g_ptr_array_set_size (ctx->warnings, 0);
}

/* Converts @unit as the driver does; returns the service or NULL. */
static UnitFile *
convert (QuadletContext *ctx, UnitFile *unit)
{
  const QuadletUnitType *type = quadlet_unit_type_for (unit_file_get_filename (unit));
  g_autoptr (GError) error = NULL;
  UnitFile *service;

  CHECK (type != NULL, "no type for %s", unit_file_get_filename (unit));
  quadlet_warn_ambiguous_image (ctx, unit, type->group);
  quadlet_warn_unsupported_service_keys (ctx, unit);
  quadlet_warn_unterminated_quotes (ctx, unit, type->group);
  if (type->convert == NULL)
    return NULL;
  service = type->convert (ctx, unit, &error);
  drain_warnings (ctx);
  if (service == NULL)
    {
      CHECK (error != NULL && error->message[0] != '\0', "%s: failed without a message",
             unit_file_get_filename (unit));
      return NULL;
    }
  CHECK (error == NULL, "%s: converted with an error set: %s", unit_file_get_filename (unit),
         error->message);
  if (!emit_check_lines (service, &error))
    {
      CHECK (error != NULL && error->message[0] != '\0', "line check failed without a message");
      unit_file_free (service);
      return NULL;
    }
  return service;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Same order as the corpus preparation in tests/fuzz/run. */
  static const char *const extensions[] = { ".container", ".pod",   ".volume", ".network",
                                            ".image",     ".build", ".kube",   ".artifact" };
  g_autoptr (QuadletContext) ctx = NULL;
  g_autoptr (GPtrArray) units = g_ptr_array_new_with_free_func ((GDestroyNotify) unit_file_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  UnitFile *fuzzed;

  if (size < 1)
    return 0;
  path = g_strdup_printf (DIR "%s%s", data[0] & 0x80 ? "fz@one" : "fz",
                          extensions[data[0] % G_N_ELEMENTS (extensions)]);
  ctx = quadlet_context_new ((data[0] & 0x08) != 0, "/usr/bin/podunit");
  if (quadlet_unit_type_for (path) == NULL)
    return 0;

  fuzzed = unit_file_parse ((const char *) data + 1, (gssize) size - 1, path, &error);
  if (fuzzed == NULL)
    return 0; /* the parser has its own target */

  for (guint i = 0; i < G_N_ELEMENTS (neighbours); i++)
    {
      g_autofree char *npath = g_strconcat (DIR, neighbours[i].name, NULL);
      UnitFile *n = unit_file_parse (neighbours[i].text, -1, npath, NULL);
      CHECK (n != NULL, "neighbour %s", neighbours[i].name);
      g_ptr_array_add (units, n);
    }
  g_ptr_array_add (units, fuzzed);
  for (guint i = 0; i < units->len; i++)
    quadlet_units_info_add (ctx, units->pdata[i]);

  /* The driver converts in type order (images first, pods last); here the
   * neighbours go first so the fuzzed file sees their resource names. */
  for (guint i = 0; i < units->len; i++)
    {
      g_autoptr (UnitFile) service = convert (ctx, units->pdata[i]);
      g_autofree char *text = NULL;
      g_autoptr (GError) perr = NULL;
      g_autoptr (UnitFile) again = NULL;

      if (service == NULL)
        {
          CHECK (units->pdata[i] == fuzzed, "neighbour %s failed to convert",
                 unit_file_get_filename (units->pdata[i]));
          continue;
        }
      text = unit_file_to_string (service);
      again = unit_file_parse (text, -1, "generated.service", &perr);
      CHECK (again != NULL, "generated service does not parse: %s\n---\n%s---", perr->message,
             text);
      g_free (emit_dry_run_text (service));
    }
  return 0;
}
