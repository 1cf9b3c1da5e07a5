/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hook files (container/hooks.c): what oci-hooks(5) and podman's
 * pkg/hooks accept and refuse, how `when` matches, which file wins, the
 * order, and that the record create writes is what start reads back. */
#include "container/hooks.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>

static HookDef *
parse_ok (const char *json)
{
  g_autoptr (GError) error = NULL;
  HookDef *d = hook_def_parse (json, strlen (json), &error);
  cr_assert_not_null (d, "%s: %s", json, error ? error->message : "");
  return d;
}

static void
parse_fails (const char *json, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HookDef) d = hook_def_parse (json, strlen (json), &error);
  cr_assert_null (d, "accepted: %s", json);
  cr_assert (strstr (error->message, message), "%s: got \"%s\", want \"%s\"", json,
             error->message, message);
}

Test (hooks, v1_full)
{
  g_autoptr (HookDef) d = parse_ok (
      "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/h\",\"args\":[\"h\",\"-x\"],"
      "\"env\":[\"A=1\"],\"timeout\":5},\"when\":{\"always\":true},"
      "\"stages\":[\"prestart\",\"poststop\"]}");
  cr_assert_str_eq (hook_def_path (d), "/bin/h");
  cr_assert (hook_def_matches (d, "sh", NULL, FALSE));
}

Test (hooks, invalid_files_say_why)
{
  parse_fails ("{", "");
  parse_fails ("[]", "not a JSON object");
  parse_fails ("{\"version\":\"2.0.0\"}", "unrecognized hook version: \"2.0.0\"");
  parse_fails ("{\"version\":\"1.0.0\",\"when\":{\"always\":true},\"stages\":[\"prestart\"]}",
               "missing required property: hook.path");
  parse_fails ("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\"},\"when\":{\"always\":true}}",
               "missing required property: stages");
  parse_fails ("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\"},\"when\":{\"always\":true},"
               "\"stages\":[\"prestrat\"]}",
               "unknown stage \"prestrat\"");
  parse_fails ("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\"},\"when\":{\"commands\":[\"(\"]},"
               "\"stages\":[\"prestart\"]}",
               "invalid command \"(\"");
  parse_fails ("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\"},"
               "\"when\":{\"annotations\":{\"[\":\"x\"}},\"stages\":[\"prestart\"]}",
               "invalid annotation key \"[\"");
  parse_fails ("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\",\"timeout\":0},"
               "\"when\":{\"always\":true},\"stages\":[\"prestart\"]}",
               "hook.timeout: 0");
  parse_fails ("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\",\"args\":\"x\"},"
               "\"when\":{\"always\":true},\"stages\":[\"prestart\"]}",
               "args: expected an array of strings");
  parse_fails ("{\"hook\":\"/h\",\"stage\":[\"prestart\"],\"stages\":[\"poststop\"]}",
               "cannot set both 'stage' and 'stages'");
}

Test (hooks, when_all_conditions_must_hold)
{
  const char *ann[] = { "com.example.department=fluid-dynamics", "other=x", NULL };
  g_autoptr (HookDef) both = parse_ok (
      "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\"},\"when\":{\"hasBindMounts\":true,"
      "\"annotations\":{\"^com\\\\.example\\\\.department$\":\".*fluid-dynamics$\"}},"
      "\"stages\":[\"prestart\"]}");
  g_autoptr (HookDef) never = parse_ok (
      "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\"},\"when\":{},\"stages\":[\"prestart\"]}");
  g_autoptr (HookDef) not_always = parse_ok (
      "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\"},\"when\":{\"always\":false,"
      "\"hasBindMounts\":true},\"stages\":[\"prestart\"]}");

  cr_assert (hook_def_matches (both, "sh", (char **) ann, TRUE));
  cr_assert_not (hook_def_matches (both, "sh", (char **) ann, FALSE));
  cr_assert_not (hook_def_matches (both, "sh", (char **) ann + 1, TRUE));
  cr_assert_not (hook_def_matches (never, "sh", (char **) ann, TRUE), "empty when: no match");
  cr_assert_not (hook_def_matches (not_always, "sh", NULL, TRUE));
}

Test (hooks, commands_match_argv0_anywhere)
{
  g_autoptr (HookDef) d = parse_ok (
      "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/h\"},"
      "\"when\":{\"commands\":[\".*/init$\",\"systemd\"]},\"stages\":[\"poststop\"]}");
  cr_assert (hook_def_matches (d, "/sbin/init", NULL, FALSE));
  cr_assert (hook_def_matches (d, "/usr/lib/systemd/systemd", NULL, FALSE));
  cr_assert_not (hook_def_matches (d, "/bin/sh", NULL, FALSE));
  cr_assert_not (hook_def_matches (d, "/sbin/init.sh", NULL, FALSE));
}

Test (hooks, v0_conditions_are_alternatives)
{
  const char *ann[] = { "x=fluid-dynamics", NULL };
  g_autoptr (HookDef) d = parse_ok ("{\"hook\":\"/usr/bin/h\",\"arguments\":[\"--debug\"],"
                                    "\"cmds\":[\"^/bin/true$\"],\"annotations\":[\"fluid\"],"
                                    "\"hasbindmounts\":true,\"stage\":[\"prestart\"]}");
  cr_assert (hook_def_matches (d, "sh", NULL, TRUE));
  cr_assert (hook_def_matches (d, "sh", (char **) ann, FALSE));
  cr_assert (hook_def_matches (d, "/bin/true", NULL, FALSE));
  cr_assert_not (hook_def_matches (d, "sh", NULL, FALSE));
}

static char *
write_hook (const char *dir, const char *name, const char *path, const char *stages)
{
  g_autofree char *file = g_build_filename (dir, name, NULL);
  g_autofree char *text = g_strdup_printf (
      "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"%s\",\"args\":[\"%s\"]},"
      "\"when\":{\"always\":true},\"stages\":%s}",
      path, name, stages);
  cr_assert (g_file_set_contents (file, text, -1, NULL));
  return g_steal_pointer (&file);
}

/* Two dirs: a same-named file in the later masks the earlier; order by
 * lower-cased name; a hook whose program is missing is skipped; other
 * files are ignored. */
Test (hooks, select_masks_orders_and_skips)
{
  g_autofree char *tmp = g_dir_make_tmp ("podunit-hooks-XXXXXX", NULL);
  g_autofree char *a = g_build_filename (tmp, "a", NULL);
  g_autofree char *b = g_build_filename (tmp, "b", NULL);
  g_autofree char *missing_dir = g_build_filename (tmp, "none", NULL);
  char *dirs[] = { a, missing_dir, b, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (HookSet) set = NULL;
  const OciHook *h;

  g_mkdir (a, 0755);
  g_mkdir (b, 0755);
  g_free (write_hook (a, "01-same.json", "/bin/true", "[\"prestart\"]"));
  g_autofree char *winner = write_hook (b, "01-same.json", "/bin/sh", "[\"createRuntime\"]");
  g_free (write_hook (a, "02-Upper.json", "/bin/true", "[\"createRuntime\",\"poststop\"]"));
  g_free (write_hook (b, "02-lower.json", "/bin/true", "[\"createRuntime\"]"));
  g_free (write_hook (a, "03-gone.json", "/nonexistent/hook", "[\"prestart\"]"));
  g_free (write_hook (a, "04-not-json.txt", "/bin/true", "[\"prestart\"]"));

  set = hooks_select (dirs, "sh", NULL, FALSE, &error);
  cr_assert_not_null (set, "%s", error ? error->message : "");
  cr_assert_eq (set->stage[HOOK_CREATE_RUNTIME]->len, 3);
  h = set->stage[HOOK_CREATE_RUNTIME]->pdata[0];
  cr_assert_str_eq (h->path, "/bin/sh");
  cr_assert_str_eq (h->file, winner);
  cr_assert_str_eq (((OciHook *) set->stage[HOOK_CREATE_RUNTIME]->pdata[1])->args[0],
                    "02-lower.json");
  cr_assert_str_eq (((OciHook *) set->stage[HOOK_CREATE_RUNTIME]->pdata[2])->args[0],
                    "02-Upper.json");
  cr_assert_eq (set->stage[HOOK_POSTSTOP]->len, 1);
  cr_assert_not (hook_set_has (set, HOOK_POSTSTART));

  /* an invalid file fails the selection, naming it */
  g_autofree char *bad = g_build_filename (b, "05-bad.json", NULL);
  cr_assert (g_file_set_contents (bad, "{\"version\":\"1.0.0\"", -1, NULL));
  g_clear_pointer (&set, hook_set_free);
  set = hooks_select (dirs, "sh", NULL, FALSE, &error);
  cr_assert_null (set);
  cr_assert (strstr (error->message, bad), "%s", error->message);
  g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmp);
  cr_assert_eq (system (cmd), 0);
}

Test (hooks, record_round_trip)
{
  g_autoptr (HookSet) set = hook_set_new ();
  g_autoptr (HookSet) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL, *again = NULL;
  OciHook *h = g_new0 (OciHook, 1);
  const char *args[] = { "h", "a b", NULL };
  const char *env[] = { "X=\"1\"", NULL };

  cr_assert_null (hook_set_to_json (set), "no hooks: no record");
  h->file = g_strdup ("/etc/containers/oci/hooks.d/h.json");
  h->path = g_strdup ("/usr/libexec/h");
  h->args = g_strdupv ((char **) args);
  h->env = g_strdupv ((char **) env);
  h->timeout = 7;
  g_ptr_array_add (set->stage[HOOK_START_CONTAINER], h);
  json = hook_set_to_json (set);
  back = hook_set_from_json (json, &error);
  cr_assert_not_null (back, "%s", error ? error->message : "");
  again = hook_set_to_json (back);
  cr_assert_str_eq (json, again);
  h = back->stage[HOOK_START_CONTAINER]->pdata[0];
  cr_assert_eq (h->timeout, 7);
  cr_assert_str_eq (h->args[1], "a b");
  cr_assert_str_eq (h->env[0], "X=\"1\"");
}

Test (hooks, state_json)
{
  const char *ann[] = { "a=1", "b=x=y", NULL };
  g_autofree char *s = hooks_state_json ("abc", "created", 42, "/b", (char **) ann);
  cr_assert_str_eq (s, "{\"ociVersion\":\"1.0.2\",\"id\":\"abc\",\"status\":\"created\","
                       "\"pid\":42,\"bundle\":\"/b\",\"annotations\":{\"a\":\"1\",\"b\":\"x=y\"}}");
}

/* Running: stdin carries the state, a failure names the file, a timeout
 * kills the hook, keep_going runs every hook. */
Test (hooks, run_stdin_failure_timeout)
{
  g_autofree char *tmp = g_dir_make_tmp ("podunit-hooks-run-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (tmp, "out", NULL);
  g_autofree char *script = g_strdup_printf ("cat > %s", out);
  g_autoptr (HookSet) set = hook_set_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *got = NULL;
  const char *cat[] = { "sh", "-c", script, NULL };
  const char *fail[] = { "sh", "-c", "exit 3", NULL };
  const char *slow[] = { "sh", "-c", "sleep 5", NULL };
  OciHook *h;

  h = g_new0 (OciHook, 1);
  h->file = g_strdup ("/d/cat.json");
  h->path = g_strdup ("/bin/sh");
  h->args = g_strdupv ((char **) cat);
  g_ptr_array_add (set->stage[HOOK_POSTSTOP], h);
  h = g_new0 (OciHook, 1);
  h->file = g_strdup ("/d/fail.json");
  h->path = g_strdup ("/bin/sh");
  h->args = g_strdupv ((char **) fail);
  g_ptr_array_add (set->stage[HOOK_POSTSTOP], h);
  h = g_new0 (OciHook, 1);
  h->file = g_strdup ("/d/slow.json");
  h->path = g_strdup ("/bin/sh");
  h->args = g_strdupv ((char **) slow);
  h->timeout = 1;
  g_ptr_array_add (set->stage[HOOK_POSTSTOP], h);
  h = g_new0 (OciHook, 1);
  h->file = g_strdup ("/d/missing.json");
  h->path = g_strdup ("/nonexistent");
  g_ptr_array_add (set->stage[HOOK_CREATE_RUNTIME], h);

  cr_assert_not (hooks_run (set, HOOK_POSTSTOP, "{\"id\":\"x\"}", 0, TRUE, &error));
  cr_assert (g_file_get_contents (out, &got, NULL, NULL));
  cr_assert_str_eq (got, "{\"id\":\"x\"}");
  cr_assert (strstr (error->message, "hook /d/fail.json: /bin/sh: exit status 3"), "%s",
             error->message);
  cr_assert (strstr (error->message, "hook /d/slow.json: /bin/sh: killed after its timeout of 1 "
                                     "seconds"),
             "%s", error->message);
  g_clear_error (&error);
  cr_assert_not (hooks_run (set, HOOK_CREATE_RUNTIME, "{}", 0, FALSE, &error));
  cr_assert_str_eq (error->message,
                    "hook /d/missing.json: /nonexistent: No such file or directory");
  cr_assert (hooks_run (set, HOOK_POSTSTART, "{}", 0, FALSE, NULL), "no hooks: nothing to do");
  g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmp);
  cr_assert_eq (system (cmd), 0);
}
