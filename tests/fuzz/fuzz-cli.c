/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for `run`/`create` argument parsing and the steps that
 * make a container record of it (runtime/cli/options.c, run-flags.c,
 * run-config.c): what `podunit run` does before it writes anything,
 * without executing anything.
 *
 * Input: the first byte picks the verb (even: create, odd: run) and
 * whether the image is given (bit 1: NULL image, as --rootfs); the rest is
 * the arguments after the verb, NUL-separated.
 *
 * Beyond "no crash, no leak, no sanitizer report, no GLib critical" it
 * checks:
 * - a refusal always comes with a message;
 * - a built config has a command, at most one entry per environment key,
 *   PATH set, a stop signal, a hostname;
 * - the record made of it (container_config_to_variant) is in normal form
 *   and reads back to a record that writes the same bytes (what `start`
 *   reads is what `create` meant), arguments that are not UTF-8 included.
 *
 * The steps that touch the system are steered away from it: the store
 * root is under /dev/null (named volumes and networks cannot be created
 * or found), --env-file names are replaced by a fixture file. */
#include "cli/cli.h"
#include "cli/run-config.h"
#include "container/container.h"
#include "systemd/health.h"
#include "fuzz-check.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARGS 96

static char *env_fixture;

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  int fd;
  /* A GLib critical is a bug (a NULL where none may be): make it abort. */
  fuzz_glib_logs_abort ();
  env_fixture = g_strdup ("/tmp/podunit-fuzz-cli-env-XXXXXX");
  fd = g_mkstemp (env_fixture);
  CHECK (fd >= 0, "mkstemp");
  CHECK (write (fd, "# fixture\nA=1\nB\nhttp_*\n  C=x y  \n", 33) == 33, "write");
  close (fd);
  return 0;
}

/* The image `run` would have: every field the steps read. */
static StoreRunImage *
fixture_image (void)
{
  StoreRunImage *r = g_new0 (StoreRunImage, 1);
  const char *env[] = { "PATH=/img/bin", "IMG=1", "A=image", NULL };
  const char *ep[] = { "/entry", "--flag", NULL };
  const char *cmd[] = { "serve", NULL };
  const char *labels[] = { "org.opencontainers.image.title=x", "empty=", NULL };
  const char *ports[] = { "53/udp", "80/tcp", NULL };
  r->id = g_strdup ("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  r->env = g_strdupv ((char **) env);
  r->entrypoint = g_strdupv ((char **) ep);
  r->cmd = g_strdupv ((char **) cmd);
  r->working_dir = g_strdup ("/srv");
  r->user = g_strdup ("1000:1000");
  r->has_stop_signal = TRUE;
  r->stop_signal = g_strdup ("SIGQUIT");
  r->labels = g_strdupv ((char **) labels);
  r->exposed_ports = g_strdupv ((char **) ports);
  r->layer_dirs = g_new0 (char *, 1);
  return r;
}

/* Properties of a config the steps accepted from @o. */
static void
check_config (const RunOpts *o, const ContainerConfig *c)
{
  g_autoptr (GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean path = FALSE;

  CHECK (c->argv && c->argv[0], "built without a command");
  CHECK (c->env != NULL, "no environment");
  for (char **e = c->env; *e; e++)
    {
      g_autofree char *k = g_strndup (*e, strcspn (*e, "="));
      CHECK (!g_hash_table_contains (keys, k), "environment key %s twice", k);
      g_hash_table_add (keys, g_steal_pointer (&k));
      path |= g_str_has_prefix (*e, "PATH=");
    }
  /* PATH is podman's default, gone only when asked (--unsetenv-all,
   * --unsetenv PATH) and not set again by -e, --env-file or --env-host. */
  CHECK (path || o->unsetenv_all
             || (o->unsetenv && g_strv_contains ((const char *const *) o->unsetenv, "PATH")),
         "no PATH in the environment");
  CHECK (c->stop_signal > 0 && c->stop_signal < 65, "stop signal %d", c->stop_signal);
  CHECK (c->stop_timeout >= 0, "stop timeout %" G_GINT64_FORMAT, c->stop_timeout);
  CHECK (c->hostname != NULL, "no hostname");
  CHECK (c->network != NULL && c->cgroups != NULL && c->log_driver != NULL && c->sdnotify,
         "a defaulted field is missing");
  CHECK (c->workdir == NULL || c->workdir[0] == '\0' || c->workdir[0] == '/',
         "relative workdir %s", c->workdir);
}

/* The record made of @c reads back as itself. */
static void
check_record (const ContainerConfig *c)
{
  g_autoptr (GVariant) v = container_config_to_variant (c);
  g_autoptr (GVariant) copy = NULL;
  g_autoptr (ContainerConfig) back = NULL;
  g_autoptr (GVariant) v2 = NULL;

  CHECK (v != NULL, "no record");
  CHECK (g_variant_is_normal_form (v), "record not in normal form");
  /* As load reads it: bytes from a file, not trusted. */
  copy = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE_VARDICT,
                                                      g_variant_get_data (v), g_variant_get_size (v),
                                                      FALSE, NULL, NULL));
  back = container_config_from_variant (copy);
  v2 = container_config_to_variant (back);
  CHECK (g_variant_equal (v, v2), "record changed on the way back");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (StoreRunImage) img = NULL;
  g_autoptr (ContainerConfig) c = NULL;
  RunOpts o = { 0 };
  gboolean is_run, no_image;
  char **argv;
  int argc;

  if (size < 1)
    return 0;
  is_run = data[0] & 1;
  no_image = data[0] & 2;
  g_ptr_array_add (words, g_strdup (is_run ? "run" : "create"));
  for (size_t i = 1; i < size && words->len < MAX_ARGS;)
    {
      const uint8_t *end = memchr (data + i, '\0', size - i);
      size_t n = end ? (size_t) (end - (data + i)) : size - i;
      char *w = g_strndup ((const char *) data + i, n);
      /* GOption prints its help and exits on --help, -? and friends:
       * podman's behaviour, not a finding. */
      if (g_str_has_prefix (w, "--help") || (w[0] == '-' && w[1] != '-' && strchr (w, '?')))
        {
          g_free (w);
          return 0;
        }
      g_ptr_array_add (words, w);
      i += n + 1;
    }
  g_ptr_array_add (words, NULL);
  argc = words->len - 1;
  argv = (char **) words->pdata;

  if (!run_opts_parse (&argc, &argv, &o, is_run, &error))
    {
      CHECK (error != NULL && error->message[0], "parse refused without a message");
      goto out;
    }
  CHECK (error == NULL, "parse succeeded with an error set");
  CHECK (argc >= 2 && argv[1] != NULL, "parse succeeded without an image operand");
  if (o.env_file)
    for (char **f = o.env_file; *f; f++)
      {
        g_free (*f);
        *f = g_strdup (env_fixture);
      }

  img = no_image ? NULL : fixture_image ();
  c = g_new0 (ContainerConfig, 1);
  c->id = g_strdup ("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
  c->name = g_strdup (o.name);
  c->image = g_strdup (argv[1]);
  {
    const char *environ_[] = { "HOME=/root", "http_proxy=http://p:3128", "NO_PROXY=local",
                               "PODMAN_SYSTEMD_UNIT=x.service", "A=caller", "B=caller", NULL };
    g_autofree char **command = g_new0 (char *, argc);
    HealthConfig hc = { 0 };
    for (int i = 2; i < argc; i++)
      command[i - 2] = argv[i];
    const RunInputs in = {
      .root = "/dev/null/podunit-fuzz",
      .img = img,
      .command = command,
      .env = (char **) environ_,
      .journal_socket = "/dev/null/journal",
    };
    if (!run_config_build (&o, &in, c, &error))
      CHECK (error != NULL && error->message[0], "build refused without a message");
    else
      {
        CHECK (error == NULL, "build succeeded with an error set");
        check_config (&o, c);
        check_record (c);
      }
    g_clear_error (&error);
    if (!run_config_health (&o, &hc, &error))
      CHECK (error != NULL && error->message[0], "health refused without a message");
    health_config_clear (&hc);
  }
out:
  run_opts_clear (&o);
  cli_options_release ();
  return 0;
}
