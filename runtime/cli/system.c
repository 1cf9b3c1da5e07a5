/* SPDX-License-Identifier: Apache-2.0 */
/* podunit version [-f FORMAT], podunit info [-f FORMAT], and the
 * `image exists` / `container exists` queries (exit 0 when it exists, 1
 * when not, as podman's). */
#include "config.h"

#include "cli/image-util.h"
#include "cli/template.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "container/container.h"
#include "systemd/cgroup.h"

/* Go's names for the machine, as podman prints OS/Arch. */
static const char *
go_arch (void)
{
  static struct utsname u;
  if (uname (&u) < 0)
    return "unknown";
  if (strcmp (u.machine, "x86_64") == 0)
    return "amd64";
  if (strcmp (u.machine, "aarch64") == 0)
    return "arm64";
  if (g_str_has_prefix (u.machine, "ppc64le"))
    return "ppc64le";
  return u.machine;
}

/* Prints @o through --format: "json" indented, a template, or @fallback. */
static int
print_formatted (JsonObject *o, const char *format, void (*fallback) (JsonObject *))
{
  g_autoptr (GError) error = NULL;
  if (format == NULL || *format == '\0')
    {
      fallback (o);
      return 0;
    }
  if (cli_template_is_json (format))
    {
      g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), o);
      cli_print_json (root);
      return 0;
    }
  g_autoptr (CliTemplate) t = cli_template_new (format, NULL, &error);
  if (!t || !cli_template_add_row (t, o, &error))
    return cli_fail (error);
  cli_template_print (t, FALSE);
  return 0;
}

static JsonObject *
version_object (void)
{
  JsonObject *client = json_object_new ();
  g_autoptr (GDateTime) built = g_date_time_new_from_unix_utc (PODUNIT_BUILD_TIME);
  g_autofree char *built_s = g_date_time_format (built, "%a %b %e %H:%M:%S %Y");
  g_autofree char *osarch = g_strdup_printf ("linux/%s", go_arch ());
  json_object_set_string_member (client, "APIVersion", PODUNIT_VERSION);
  json_object_set_string_member (client, "Version", PODUNIT_VERSION);
  json_object_set_string_member (client, "GoVersion", "none (podunit is C)");
  json_object_set_string_member (client, "GitCommit", "");
  json_object_set_string_member (client, "BuiltTime", built_s);
  json_object_set_int_member (client, "Built", PODUNIT_BUILD_TIME);
  json_object_set_string_member (client, "BuildOrigin", "podunit");
  json_object_set_string_member (client, "OsArch", osarch);
  json_object_set_string_member (client, "Os", "linux");
  JsonObject *o = json_object_new ();
  json_object_set_object_member (o, "Client", client);
  return o;
}

static void
print_version (JsonObject *o)
{
  JsonObject *c = json_object_get_object_member (o, "Client");
  printf ("Client:       podunit\n"
          "Version:      %s\n"
          "API Version:  %s\n"
          "Go Version:   %s\n"
          "Built:        %s\n"
          "OS/Arch:      %s\n",
          json_object_get_string_member (c, "Version"),
          json_object_get_string_member (c, "APIVersion"),
          json_object_get_string_member (c, "GoVersion"),
          json_object_get_string_member (c, "BuiltTime"),
          json_object_get_string_member (c, "OsArch"));
}

/* version and info take --format only; NULL (printed) on a bad flag. */
static gboolean
parse_format_only (int argc, char **argv, char **format)
{
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, format, "json or a Go template", "FORMAT" },
    { NULL },
  };
  return cli_parse_options (&argc, &argv, entries, NULL, FALSE);
}

int
cli_version (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *format = NULL;
  if (!parse_format_only (argc, argv, &format))
    return EXIT_PODUNIT;
  g_autoptr (JsonObject) o = version_object ();
  return print_formatted (o, format, print_version);
}

static char *
os_release (const char *key)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents ("/etc/os-release", &text, NULL, NULL))
    return g_strdup ("unknown");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    if (g_str_has_prefix (*l, key) && (*l)[strlen (key)] == '=')
      {
        char *v = g_strdup (*l + strlen (key) + 1);
        gsize n = strlen (v);
        if (n >= 2 && (v[0] == '"' || v[0] == '\''))
          {
            memmove (v, v + 1, n - 2);
            v[n - 2] = '\0';
          }
        return v;
      }
  return g_strdup ("unknown");
}

static int
count_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  int n = 0;
  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static JsonObject *
info_object (CliGlobal *g)
{
  JsonObject *host = json_object_new ();
  struct utsname u;
  uname (&u);
  json_object_set_string_member (host, "Arch", go_arch ());
  json_object_set_string_member (host, "Hostname", u.nodename);
  json_object_set_string_member (host, "Kernel", u.release);
  json_object_set_string_member (host, "OS", "linux");
  json_object_set_string_member (host, "CgroupManager", "cgroupfs");
  CgroupVersion cv = CGROUP_VERSION_V1;
  cgroup_detect_version (CGROUP_DEFAULT_ROOT, &cv, NULL);
  json_object_set_string_member (host, "CgroupsVersion", cv == CGROUP_VERSION_V2 ? "v2" : "v1");
  JsonObject *dist = json_object_new ();
  g_autofree char *id = os_release ("ID"), *ver = os_release ("VERSION_ID");
  json_object_set_string_member (dist, "Distribution", id);
  json_object_set_string_member (dist, "Version", ver);
  json_object_set_object_member (host, "Distribution", dist);
  JsonObject *rt = json_object_new ();
  json_object_set_string_member (rt, "Name", "podunit");
  g_autofree char *rt_path = cli_runtime_path ();
  json_object_set_string_member (rt, "Path", rt_path ? rt_path : "");
  json_object_set_string_member (rt, "Version", PODUNIT_VERSION);
  json_object_set_object_member (host, "OCIRuntime", rt);
  JsonObject *sec = json_object_new ();
  json_object_set_boolean_member (sec, "Rootless", g->rootless);
  json_object_set_boolean_member (sec, "SELinuxEnabled", FALSE);
  json_object_set_boolean_member (sec, "AppArmorEnabled", FALSE);
  json_object_set_boolean_member (sec, "SECCOMPEnabled", TRUE);
  json_object_set_object_member (host, "Security", sec);
  json_object_set_string_member (host, "EventLogger", "none");
  json_object_set_string_member (host, "LogDriver", "k8s-file");
  json_object_set_string_member (host, "NetworkBackend", "none");
  json_object_set_string_member (host, "DatabaseBackend", "none");

  JsonObject *store = json_object_new ();
  json_object_set_string_member (store, "GraphDriverName", "overlay");
  json_object_set_string_member (store, "GraphRoot", g->root);
  json_object_set_string_member (store, "RunRoot", g->runroot);
  g_autofree char *vols = g_build_filename (g->root, "volumes", NULL);
  json_object_set_string_member (store, "VolumePath", vols);
  /* Which overlay: the kernel's always (podunit has no fuse-overlayfs or
   * copy fallback); rootless it is mounted in the user namespace with
   * userxattr (kernel 5.11 or later), as podman's native rootless overlay. */
  JsonObject *gopts = json_object_new (), *gstatus = json_object_new ();
  if (g->rootless)
    json_object_set_string_member (gopts, "overlay.mountopt", "userxattr");
  json_object_set_object_member (store, "GraphOptions", gopts);
  json_object_set_string_member (gstatus, "Native Overlay Diff", "true");
  json_object_set_string_member (gstatus, "Supports d_type", "true");
  json_object_set_string_member (gstatus, "Using metacopy", "false");
  json_object_set_object_member (store, "GraphStatus", gstatus);
  g_autofree char *imgs = g_build_filename (g->root, "images", NULL);
  g_autoptr (GPtrArray) ctrs = container_list (g->root, NULL);
  JsonObject *is = json_object_new (), *cs = json_object_new ();
  json_object_set_int_member (is, "Number", count_dir (imgs));
  json_object_set_int_member (cs, "Number", ctrs ? ctrs->len : 0);
  json_object_set_object_member (store, "ImageStore", is);
  json_object_set_object_member (store, "ContainerStore", cs);

  JsonObject *o = json_object_new ();
  json_object_set_object_member (o, "Host", host);
  json_object_set_object_member (o, "Store", store);
  JsonObject *v = version_object ();
  json_object_set_member (o, "Version", json_object_dup_member (v, "Client"));
  json_object_unref (v);
  return o;
}

/* podman's default `info` output is YAML: keys lower-camel-cased. */
static void
print_yaml (JsonNode *n, int indent)
{
  JsonObject *o = json_node_get_object (n);
  g_autoptr (GList) keys = json_object_get_members (o);
  for (GList *l = keys; l; l = l->next)
    {
      const char *k = l->data;
      JsonNode *m = json_object_get_member (o, k);
      g_autofree char *key = g_strdup (k);
      /* "OCIRuntime" -> "ociRuntime", "Arch" -> "arch"; podman keeps
       * graphStatus's own words ("Native Overlay Diff") as they are. */
      for (char *p = key; !strchr (k, ' ') && *p && g_ascii_isupper (*p) && (p == key || !g_ascii_islower (p[1])); p++)
        *p = g_ascii_tolower (*p);
      if (g_ascii_isupper (key[0]) && !strchr (k, ' '))
        key[0] = g_ascii_tolower (key[0]);
      if (JSON_NODE_HOLDS_OBJECT (m))
        {
          printf ("%*s%s:\n", indent, "", key);
          print_yaml (m, indent + 2);
        }
      else if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
        printf ("%*s%s: %s\n", indent, "", key, json_node_get_string (m));
      else if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_BOOLEAN)
        printf ("%*s%s: %s\n", indent, "", key, json_node_get_boolean (m) ? "true" : "false");
      else if (JSON_NODE_HOLDS_VALUE (m))
        printf ("%*s%s: %" G_GINT64_FORMAT "\n", indent, "", key, json_node_get_int (m));
    }
}

static void
print_info (JsonObject *o)
{
  g_autoptr (JsonNode) n = json_node_init_object (json_node_alloc (), o);
  print_yaml (n, 0);
}

int
cli_info (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *format = NULL;
  if (!parse_format_only (argc, argv, &format))
    return EXIT_PODUNIT;
  g_autoptr (JsonObject) o = info_object (g);
  return print_formatted (o, format, print_info);
}

static gboolean
one_operand (int argc, char **argv, const char *what)
{
  if (argc == 2)
    return TRUE;
  cli_error ("\"podunit %s\" requires exactly 1 argument", what);
  return FALSE;
}

int
cli_image_exists (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr (GError) error = NULL;
  if (!cli_parse_options (&argc, &argv, entries, "IMAGE", FALSE))
    return EXIT_PODUNIT;
  if (!one_operand (argc, argv, "image exists"))
    return EXIT_PODUNIT;
  g_autoptr (Store) s = cli_store_open (g, &error);
  if (s == NULL)
    return cli_fail (error);
  g_autoptr (StoreImage) img = store_lookup_image (s, argv[1], &error);
  if (img)
    return 0;
  if (g_error_matches (error, STORE_ERROR, STORE_ERROR_NOT_FOUND))
    return 1;
  return cli_fail (error);
}

int
cli_container_exists (CliGlobal *g, int argc, char **argv)
{
  gboolean external = FALSE;
  const GOptionEntry entries[] = {
    { "external", 0, 0, G_OPTION_ARG_NONE, &external, "Also external containers (none here)",
      NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER", FALSE))
    return EXIT_PODUNIT;
  if (!one_operand (argc, argv, "container exists"))
    return EXIT_PODUNIT;
  g_autofree char *id = container_resolve (g->root, argv[1], &error);
  if (id)
    return 0;
  if (g_error_matches (error, CONTAINER_ERROR, CONTAINER_ERROR_NOT_FOUND))
    return 1;
  return cli_fail (error);
}

/* podman's list of remote service destinations. podunit is only local:
 * there is no remote service to connect to, so the list is empty (the
 * header, "[]" as json, nothing with -q). */
int
cli_system_connection_ls (CliGlobal *g, int argc, char **argv)
{
  gboolean quiet = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "json or a Go template", "FORMAT" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Only names", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  if (!cli_parse_options (&argc, &argv, entries, "", FALSE))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("%s takes no arguments", argv[0]);
      return EXIT_PODUNIT;
    }
  if (quiet)
    return 0;
  if (format && cli_template_is_json (format))
    {
      puts ("[]");
      return 0;
    }
  if (format)
    {
      g_autoptr (CliTemplate) t = cli_template_new (format, NULL, &error);
      if (!t)
        return cli_fail (error);
      cli_template_print (t, FALSE);
      return 0;
    }
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  const char *const header[] = { "Name", "URI", "Identity", "Default", "ReadWrite", NULL };
  g_ptr_array_add (rows, (gpointer) header);
  cli_print_table (rows);
  return 0;
}
