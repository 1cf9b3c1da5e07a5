/* SPDX-License-Identifier: Apache-2.0 */
/* podunit pull [flags] NAME[:TAG|@DIGEST] (also `image pull`, as Quadlet's
 * .image units run it): the image from its registry into the store,
 * progress on stderr as podman prints it without a TTY, the image id alone
 * on stdout. cli_pull_image is what run/create --pull use too. */
#include "cli/image-util.h"
#include "image/registry/pull.h"
#include "image/registry/registries.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
print_progress (const char *line, gpointer data)
{
  fprintf (stderr, "%s\n", line);
}

/* One pull with --retry's whole-pull retries on network errors. */
static char *
pull_retrying (Store *s, const RegistryRef *src, const RegistryRef *name, const RegistryOptions *o,
               const RegistryPlatform *platform, guint retries, guint retry_delay,
               gboolean quiet, GError **error)
{
  g_autofree char *full = registry_ref_string (src);
  guint delay = retry_delay;
  /* Each retry goes on from what the failed attempt staged. */
  g_autoptr (RegistryResume) resume = registry_resume_new ();
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr (GError) local = NULL;
      char *id = registry_pull (s, src, name, o, platform, resume,
                                quiet ? NULL : print_progress, NULL, &local);
      if (id)
        return id;
      /* Only the network is worth another try (podman retries the same). */
      if (attempt >= retries || !g_error_matches (local, REGISTRY_ERROR, REGISTRY_ERROR_NETWORK))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                      "initializing source docker://%s: ", full);
          return NULL;
        }
      cli_warn ("Failed, retrying in %us ... (%u/%u). Error: %s", delay, attempt + 1, retries,
                local->message);
      sleep (delay);
      delay *= 2;
    }
}

/* NAME's repository part and its ":tag"/"@digest" suffix. */
static char *
split_suffix (const char *name, const char **suffix)
{
  const char *last = strrchr (name, '/');
  const char *at = strchr (last ? last : name, '@');
  const char *colon = strchr (last ? last : name, ':');
  const char *cut = at && (!colon || at < colon) ? at : colon ? colon : at;
  *suffix = cut ? cut : "";
  return cut ? g_strndup (name, cut - name) : g_strdup (name);
}

gboolean
cli_registry_entry (RegistriesConf *conf, const RegistryRef *ref, RegistryOptions *o,
                    gboolean tls_given, const RegistryEntry **entry, GError **error)
{
  g_autofree char *repo = registry_ref_repo (ref);
  const RegistryEntry *e = registries_conf_find (conf, repo);
  if (e && e->blocked)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "registry %s is blocked in %s or registries.conf.d", ref->domain, conf->path);
      return FALSE;
    }
  if (e && !tls_given)
    o->insecure = e->insecure;
  *entry = e;
  return TRUE;
}

gboolean
cli_check_retry (gint retry, const char *retry_delay, guint *delay)
{
  *delay = 2;
  if (retry_delay && !cli_parse_duration_seconds (retry_delay, delay))
    {
      cli_error ("--retry-delay %s: expected a duration (2s, 1m)", retry_delay);
      return FALSE;
    }
  if (retry < 0)
    {
      cli_error ("--retry %d: must not be negative", retry);
      return FALSE;
    }
  return TRUE;
}

RegistryRef *
cli_registry_target (const char *name, const char *authfile, const char *creds,
                     const char *cert_dir, RegistryOptions *o, RegistriesConf **conf,
                     GError **error)
{
  const char *bare = g_str_has_prefix (name, "docker://") ? name + 9 : name;
  g_autoptr (RegistryRef) ref = registry_ref_parse (bare, error);
  g_autoptr (RegistriesConf) c = ref ? registries_conf_load (error) : NULL;
  if (c == NULL)
    return NULL;
  RegistryOptions base = {
    .insecure = !cli_tls_verify,
    .cert_dir = cert_dir,
    .authfile = authfile,
    .creds = creds,
    .retries = o->retries,
  };
  *o = base;
  const RegistryEntry *e;
  if (!cli_registry_entry (c, ref, o, cli_tls_given, &e, error))
    return NULL;
  *conf = g_steal_pointer (&c);
  return g_steal_pointer (&ref);
}

/* Pulls one fully qualified NAME as registries.conf says: blocked, insecure,
 * mirrors in order (as pull-from-mirror allows), then the location. */
static char *
pull_qualified (Store *s, RegistriesConf *conf, const char *name, const RegistryOptions *o,
                gboolean tls_given, const RegistryPlatform *platform, guint retries,
                guint retry_delay, gboolean quiet, GError **error)
{
  g_autoptr (RegistryRef) ref = registry_ref_parse (name, error);
  if (ref == NULL)
    return NULL;
  g_autofree char *repo = registry_ref_repo (ref);
  RegistryOptions lo = *o;
  const RegistryEntry *e = NULL;
  if (!cli_registry_entry (conf, ref, &lo, tls_given, &e, error))
    return NULL;
  g_autofree char *ssuffix = ref->digest ? g_strconcat ("@", ref->digest, NULL)
                                         : g_strconcat (":", ref->tag, NULL);
  g_autoptr (GError) last = NULL;
  /* The name the user meant, whichever mirror serves it (podman's line). */
  if (!quiet)
    {
      g_autofree char *meant = registry_ref_string (ref);
      fprintf (stderr, "Trying to pull %s...\n", meant);
    }
  for (guint i = 0; e && i < e->mirrors->len; i++)
    {
      RegistryMirror *m = e->mirrors->pdata[i];
      const char *pfm = m->pull_from_mirror ? m->pull_from_mirror : "all";
      if ((strcmp (pfm, "digest-only") == 0 && !ref->digest)
          || (strcmp (pfm, "tag-only") == 0 && ref->digest))
        continue;
      g_autofree char *mrepo = g_strconcat (m->location, repo + strlen (e->prefix), NULL);
      g_autofree char *mname = g_strconcat (mrepo, ssuffix, NULL);
      g_autoptr (RegistryRef) mref = registry_ref_parse (mname, &last);
      if (mref == NULL)
        continue;
      RegistryOptions mo = *o;
      if (!tls_given)
        mo.insecure = m->insecure;
      g_clear_error (&last);
      char *id = pull_retrying (s, mref, ref, &mo, platform, 0, retry_delay, quiet, &last);
      if (id)
        return id;
      if (!quiet)
        cli_warn ("%s", last->message);
    }
  g_autofree char *lrepo = e ? registries_conf_rewrite (e, repo) : g_strdup (repo);
  g_autofree char *lname = g_strconcat (lrepo, ssuffix, NULL);
  g_autoptr (RegistryRef) lref = registry_ref_parse (lname, error);
  if (lref == NULL)
    return NULL;
  return pull_retrying (s, lref, ref, &lo, platform, retries, retry_delay, quiet, error);
}

/* Asks which search registry a short name means (podman's "? Please
 * select an image"; a number here, not arrow keys). Returns 1..n, or 0
 * with an error. */
static guint
prompt_registry (RegistriesConf *conf, const char *repo, const char *suffix, GError **error)
{
  guint n = g_strv_length (conf->search);
  printf ("? Please select an image:\n");
  for (guint i = 0; i < n; i++)
    printf ("  %u) %s/%s%s\n", i + 1, conf->search[i], repo, *suffix ? suffix : ":latest");
  printf ("Number [1-%u]: ", n);
  fflush (stdout);
  char line[64];
  if (fgets (line, sizeof line, stdin) == NULL)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_SHORT_NAME,
                   "short-name resolution: no selection made for \"%s\"", repo);
      return 0;
    }
  g_strstrip (line);
  char *end;
  guint64 v = g_ascii_strtoull (line, &end, 10);
  if (*line == '\0' || *end || v < 1 || v > n)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_SHORT_NAME,
                   "short-name resolution: \"%s\" is not one of 1 to %u", line, n);
      return 0;
    }
  return (guint)v;
}

char *
cli_pull_image (Store *s, const char *name, const RegistryOptions *o, gboolean tls_given,
                const RegistryPlatform *platform, guint retries, guint retry_delay,
                gboolean quiet, GError **error)
{
  g_autoptr (RegistriesConf) conf = registries_conf_load (error);
  if (conf == NULL)
    return NULL;
  const char *bare = g_str_has_prefix (name, "docker://") ? name + 9 : name;
  if (!registry_name_is_short (bare))
    return pull_qualified (s, conf, bare, o, tls_given, platform, retries, retry_delay, quiet,
                           error);

  /* A short name: an alias (no network), else the search registries. */
  const char *suffix;
  g_autofree char *repo = split_suffix (bare, &suffix);
  const char *alias = g_hash_table_lookup (conf->aliases, repo);
  if (alias)
    {
      if (!quiet)
        fprintf (stderr, "Resolved \"%s\" as an alias (%s)\n", repo,
                 (char *)g_hash_table_lookup (conf->alias_files, repo));
      g_autofree char *full = g_strconcat (alias, suffix, NULL);
      return pull_qualified (s, conf, full, o, tls_given, platform, retries, retry_delay, quiet,
                             error);
    }
  guint n = g_strv_length (conf->search);
  if (n == 0)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_SHORT_NAME,
                   "short-name \"%s\" did not resolve to an alias and no unqualified-search "
                   "registries are defined in \"%s\"",
                   bare, conf->path);
      return NULL;
    }
  if (n > 1 && conf->mode == SHORT_NAME_ENFORCING)
    {
      if (!(isatty (STDIN_FILENO) && isatty (STDOUT_FILENO)))
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_SHORT_NAME,
                       "short-name resolution enforced but cannot prompt without a TTY");
          return NULL;
        }
      /* The user picks the registry; once pulled, the choice goes into
       * the alias cache, so the next pull of the name does not ask. */
      guint pick = prompt_registry (conf, repo, suffix, error);
      if (pick == 0)
        return NULL;
      g_autofree char *full = g_strconcat (conf->search[pick - 1], "/", bare, NULL);
      char *id = pull_qualified (s, conf, full, o, tls_given, platform, retries, retry_delay,
                                 quiet, error);
      g_autofree char *value = g_strconcat (conf->search[pick - 1], "/", repo, NULL);
      g_autoptr (GError) local = NULL;
      if (id && !registries_alias_cache_record (repo, value, &local))
        cli_warn ("%s", local->message);
      return id;
    }
  /* Permissive: the first search registry that has the image. */
  g_autoptr (GError) last = NULL;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *full = g_strconcat (conf->search[i], "/", bare, NULL);
      g_clear_error (&last);
      char *id = pull_qualified (s, conf, full, o, tls_given, platform, retries, retry_delay,
                                 quiet, &last);
      if (id)
        return id;
    }
  g_propagate_error (error, g_steal_pointer (&last));
  return NULL;
}

gboolean cli_tls_verify = TRUE, cli_tls_given;

gboolean
cli_option_tls_verify (const char *name, const char *value, gpointer data, GError **error)
{
  cli_tls_given = TRUE;
  if (value == NULL || g_ascii_strcasecmp (value, "true") == 0)
    cli_tls_verify = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0)
    cli_tls_verify = FALSE;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--tls-verify=%s: expected true or false", value);
      return FALSE;
    }
  return TRUE;
}

gboolean
cli_parse_duration_seconds (const char *s, guint *out)
{
  /* "10", "10s", "1m", "500ms" (rounded up to a second) as podman's Go durations. */
  char *end;
  double v = g_ascii_strtod (s, &end);
  if (end == s || v < 0)
    return FALSE;
  double mult = strcmp (end, "") == 0 || strcmp (end, "s") == 0 ? 1
                : strcmp (end, "ms") == 0                       ? 0.001
                : strcmp (end, "m") == 0                        ? 60
                : strcmp (end, "h") == 0                        ? 3600
                                                                : -1;
  if (mult < 0)
    return FALSE;
  double secs = v * mult;
  *out = secs > 0 && secs < 1 ? 1 : (guint)secs;
  return TRUE;
}

/* --all-tags: every tag of REPO (a short name is on docker.io, as podman
 * reads it), each pulled as `pull REPO:TAG` would, each id printed. */
static int
pull_all_tags (Store *s, const char *repo, const RegistryOptions *o, const RegistryPlatform *pl,
               guint retries, guint delay, gboolean quiet)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RegistriesConf) conf = NULL;
  RegistryOptions lo = { .retries = o->retries };
  g_autoptr (RegistryRef) ref
      = cli_registry_target (repo, o->authfile, o->creds, o->cert_dir, &lo, &conf, &error);
  if (ref == NULL)
    return cli_fail (error);
  g_autofree char *full = registry_ref_repo (ref);
  g_autoptr (RegistryClient) c = registry_client_new (ref, &lo, FALSE, &error);
  g_autoptr (GPtrArray) tags = c ? registry_list_tags (c, &error) : NULL;
  if (tags == NULL)
    {
      g_prefix_error (&error, "listing the tags of %s: ", full);
      return cli_fail (error);
    }
  for (guint i = 0; i < tags->len; i++)
    {
      g_autofree char *name = g_strconcat (full, ":", (char *)tags->pdata[i], NULL);
      g_autofree char *id = pull_qualified (s, conf, name, o, cli_tls_given, pl, retries, delay,
                                            quiet, &error);
      if (id == NULL)
        return cli_fail (error);
      printf ("%s\n", id);
      fflush (stdout);
    }
  return 0;
}

int
cli_pull (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *authfile = NULL, *creds = NULL, *cert_dir = NULL, *arch = NULL, *os = NULL;
  g_autofree char *variant = NULL, *platform = NULL, *policy = NULL, *retry_delay = NULL;
  gint retry = 3;
  gboolean quiet = FALSE, all_tags = FALSE;
  cli_tls_verify = TRUE;
  cli_tls_given = FALSE;
  const GOptionEntry entries[] = {
    CLI_REGISTRY_OPTIONS (authfile, creds, cert_dir),
    { "arch", 0, 0, G_OPTION_ARG_STRING, &arch, "Architecture to pull", "ARCH" },
    { "os", 0, 0, G_OPTION_ARG_STRING, &os, "Operating system to pull", "OS" },
    { "variant", 0, 0, G_OPTION_ARG_STRING, &variant, "Architecture variant", "VARIANT" },
    { "platform", 0, 0, G_OPTION_ARG_STRING, &platform, "OS/ARCH[/VARIANT]", "PLATFORM" },
    { "retry", 0, 0, G_OPTION_ARG_INT, &retry, "Retries on network errors (default 3)", "N" },
    { "retry-delay", 0, 0, G_OPTION_ARG_STRING, &retry_delay, "First delay between retries (2s)",
      "DURATION" },
    { "policy", 0, 0, G_OPTION_ARG_STRING, &policy, "always, missing, never, newer", "POLICY" },
    { "all-tags", 'a', 0, G_OPTION_ARG_NONE, &all_tags, "Pull every tag of the repository", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Suppress the progress output", NULL },
    { NULL },
  };
  if (!cli_parse_options (&argc, &argv, entries, "NAME[:TAG|@DIGEST]", FALSE))
    return EXIT_PODUNIT;
  {
    g_autoptr (GError) check = NULL;
    if (!cli_check_authfile (authfile, &check))
      return cli_fail (check);
  }
  if (argc != 2)
    {
      cli_error ("pull: %s", argc < 2 ? "requires an image name" : "accepts only one image name");
      return EXIT_PODUNIT;
    }
  guint delay;
  if (!cli_check_retry (retry, retry_delay, &delay))
    return EXIT_PODUNIT;
  RegistryPlatform pl = { .os = os, .arch = arch, .variant = variant };
  g_auto (GStrv) parts = platform ? g_strsplit (platform, "/", 3) : NULL;
  if (parts)
    {
      if (!parts[0] || !parts[1] || !*parts[0] || !*parts[1])
        {
          cli_error ("--platform %s: expected OS/ARCH[/VARIANT]", platform);
          return EXIT_PODUNIT;
        }
      pl.os = parts[0];
      pl.arch = parts[1];
      pl.variant = parts[2];
    }
  if (policy && strcmp (policy, "always") != 0 && strcmp (policy, "missing") != 0
      && strcmp (policy, "never") != 0 && strcmp (policy, "newer") != 0)
    {
      cli_error ("--policy %s: expected always, missing, never or newer", policy);
      return EXIT_PODUNIT;
    }
  const char *suffix;
  g_autofree char *repo_arg = split_suffix (argv[1], &suffix);
  if (all_tags && *suffix)
    {
      cli_error ("tag can't be used with --all-tags/-a");
      return EXIT_PODUNIT;
    }
  RegistryOptions o = {
    .insecure = !cli_tls_verify,
    .cert_dir = cert_dir,
    .authfile = authfile,
    .creds = creds,
    .retries = retry,
  };
  const char *stall = g_getenv ("PODUNIT_PULL_STALL_TIMEOUT");
  if (stall)
    o.stall_timeout = atoi (stall);
  g_autoptr (GError) error = NULL;
  g_autoptr (Store) s = cli_store_open (g, &error);
  if (s == NULL)
    return cli_fail (error);
  if (policy && (strcmp (policy, "missing") == 0 || strcmp (policy, "never") == 0))
    {
      g_autoptr (StoreImage) img = store_lookup_image (s, argv[1], NULL);
      if (img)
        {
          printf ("%s\n", store_image_get_id (img));
          return 0;
        }
      if (strcmp (policy, "never") == 0)
        {
          cli_error ("%s: image not known", argv[1]);
          return EXIT_PODUNIT;
        }
    }
  if (all_tags)
    return pull_all_tags (s, repo_arg, &o, &pl, retry, delay, quiet);
  g_autofree char *id
      = cli_pull_image (s, argv[1], &o, cli_tls_given, &pl, retry, delay, quiet, &error);
  if (id == NULL)
    return cli_fail (error);
  printf ("%s\n", id);
  return 0;
}

StoreRunImage *
cli_run_image (Store *s, const char *name, const char *policy, const char *retry,
               const char *retry_delay, const char *authfile, GError **error)
{
  const char *p = policy ? policy : "missing";
  g_autoptr (GError) local = NULL;
  gboolean first = strcmp (p, "always") == 0 || strcmp (p, "newer") == 0;
  if (!first)
    {
      StoreRunImage *img = store_lookup_run_image (s, name, &local);
      if (img)
        return img;
      if (!g_error_matches (local, STORE_ERROR, STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (strcmp (p, "never") == 0)
        {
          g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s: image not known", name);
          return NULL;
        }
      g_clear_error (&local);
    }
  guint retries = retry ? (guint)g_ascii_strtoull (retry, NULL, 10) : 3;
  guint delay = 2;
  if (retry_delay)
    cli_parse_duration_seconds (retry_delay, &delay);
  RegistryOptions o = { .retries = retries, .authfile = authfile };
  g_autofree char *id = cli_pull_image (s, name, &o, FALSE, NULL, retries, delay, FALSE, &local);
  if (id == NULL)
    {
      /* newer: a stored image is used when the registry cannot be asked. */
      StoreRunImage *img = strcmp (p, "newer") == 0 ? store_lookup_run_image (s, name, NULL) : NULL;
      if (img)
        {
          cli_warn ("%s; using the stored image", local->message);
          return img;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return store_lookup_run_image (s, id, error);
}
