/* SPDX-License-Identifier: Apache-2.0 */
/* Resource limits. podman asks for nofile 1048576 and nproc 1048576 by
 * default. Root in the initial user namespace raises them whatever the
 * caller's limits (podman: the caller's environment does not change the
 * container's); without CAP_SYS_RESOURCE there (rootless, a container in
 * its own user namespace, CI machines with a hard nofile of 20000) a hard
 * limit cannot be raised, so every value is clamped to what this process
 * has instead of failing the start. */
#include "sandbox/spawn.h"
#include "sandbox/caps.h"
#include "sandbox/userns.h"
#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>

static const struct { const char *name; int resource; } names[] = {
  { "core", RLIMIT_CORE },       { "cpu", RLIMIT_CPU },         { "data", RLIMIT_DATA },
  { "fsize", RLIMIT_FSIZE },     { "locks", RLIMIT_LOCKS },     { "memlock", RLIMIT_MEMLOCK },
  { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },     { "nofile", RLIMIT_NOFILE },
  { "nproc", RLIMIT_NPROC },     { "rss", RLIMIT_RSS },         { "rtprio", RLIMIT_RTPRIO },
  { "rttime", RLIMIT_RTTIME },   { "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
  { "as", RLIMIT_AS },
};

/* The kernel's ceiling for nofile (fs.nr_open): even root cannot go over. */
static rlim_t
nr_open (void)
{
  g_autofree char *text = NULL;
  guint64 v;
  if (g_file_get_contents ("/proc/sys/fs/nr_open", &text, NULL, NULL)
      && g_ascii_string_to_unsigned (g_strstrip (text), 10, 1, G_MAXUINT64, &v, NULL))
    return v;
  return 1048576;
}

gboolean
rlimits_may_raise (void)
{
  return userns_is_initial () && caps_effective_has (CAP_SYS_RESOURCE);
}

static void
set_limit (GArray *out, int resource, rlim_t soft, rlim_t hard, gboolean may_raise)
{
  struct rlimit have;
  SpawnRlimit r = { .resource = resource };
  if (may_raise)
    {
      have.rlim_max = resource == RLIMIT_NOFILE ? nr_open () : RLIM_INFINITY;
      have.rlim_cur = have.rlim_max;
    }
  else
    getrlimit (resource, &have);
  if (have.rlim_max != RLIM_INFINITY && (hard == RLIM_INFINITY || hard > have.rlim_max))
    hard = have.rlim_max;
  if (soft == RLIM_INFINITY ? hard != RLIM_INFINITY : soft > hard)
    soft = hard;
  r.limit.rlim_cur = soft;
  r.limit.rlim_max = hard;
  for (guint i = 0; i < out->len; i++)
    if (g_array_index (out, SpawnRlimit, i).resource == resource)
      {
        g_array_index (out, SpawnRlimit, i) = r;
        return;
      }
  g_array_append_val (out, r);
}

static gboolean
parse_value (const char *s, rlim_t *out)
{
  char *end;
  long long v;
  if (g_str_equal (s, "-1") || g_str_equal (s, "unlimited"))
    {
      *out = RLIM_INFINITY;
      return TRUE;
    }
  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno || *end || v < 0 || end == s)
    return FALSE;
  *out = v;
  return TRUE;
}

GArray *
rlimits_resolve (char **ulimits, gboolean may_raise, GError **error)
{
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (SpawnRlimit));
  set_limit (out, RLIMIT_NOFILE, 1048576, 1048576, may_raise);
  set_limit (out, RLIMIT_NPROC, 1048576, 1048576, may_raise);
  for (char **u = ulimits; u && *u; u++)
    {
      const char *eq = strchr (*u, '=');
      g_autofree char *name = eq ? g_strndup (*u, eq - *u) : NULL;
      g_auto (GStrv) vals = eq ? g_strsplit (eq + 1, ":", 2) : NULL;
      rlim_t soft, hard;
      int resource = -1;
      for (gsize i = 0; name && i < G_N_ELEMENTS (names); i++)
        if (g_ascii_strcasecmp (names[i].name, name) == 0)
          resource = names[i].resource;
      /* ("nofile=" splits into no value at all) */
      if (resource < 0 || vals[0] == NULL || !parse_value (vals[0], &soft)
          || !parse_value (vals[1] ? vals[1] : vals[0], &hard))
        {
          g_set_error (error, SPAWN_ERROR, 125, "--ulimit %s: expected TYPE=SOFT[:HARD]", *u);
          return NULL;
        }
      if (hard != RLIM_INFINITY && (soft == RLIM_INFINITY || soft > hard))
        {
          /* podman's words (go-units) */
          g_autofree char *sv = soft == RLIM_INFINITY ? g_strdup ("-1 (unlimited)")
                                                      : g_strdup_printf ("%llu", (unsigned long long) soft);
          g_set_error (error, SPAWN_ERROR, 125,
                       "ulimit option \"%s\" requires name=SOFT:HARD, failed to be parsed: ulimit "
                       "soft limit must be less than or equal to hard limit: soft: %s, hard: %llu",
                       *u, sv, (unsigned long long) hard);
          return NULL;
        }
      set_limit (out, resource, soft, hard, may_raise);
    }
  return g_steal_pointer (&out);
}

gboolean
rlimits_apply (GArray *rlimits, GError **error)
{
  for (guint i = 0; rlimits && i < rlimits->len; i++)
    {
      const SpawnRlimit *r = &g_array_index (rlimits, SpawnRlimit, i);
      if (setrlimit (r->resource, &r->limit) < 0)
        {
          errno_error (error, SPAWN_ERROR, 125, errno, "setrlimit %d", r->resource);
          return FALSE;
        }
    }
  return TRUE;
}
