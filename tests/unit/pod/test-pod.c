/* SPDX-License-Identifier: Apache-2.0 */
/* Pods' pure parts (pod/pod.h): podman's pod status from its containers'
 * states, the exit policies, and the records (saved, loaded, listed and
 * resolved by name, id and prefix) in a temporary store. */
#include "pod/pod.h"

#include <criterion/criterion.h>

#define STATUS(...)                                                                               \
  pod_status ((const ContainerStatus[]){ __VA_ARGS__ },                                           \
              sizeof ((const ContainerStatus[]){ __VA_ARGS__ }) / sizeof (ContainerStatus))

Test (pod, status_as_podman_computes_it)
{
  cr_assert_str_eq (pod_status (NULL, 0), "Created");
  cr_assert_str_eq (STATUS (CONTAINER_CREATED), "Created");
  cr_assert_str_eq (STATUS (CONTAINER_CREATED, CONTAINER_CREATED), "Created");
  cr_assert_str_eq (STATUS (CONTAINER_RUNNING, CONTAINER_RUNNING), "Running");
  cr_assert_str_eq (STATUS (CONTAINER_RUNNING, CONTAINER_STOPPING), "Running");
  cr_assert_str_eq (STATUS (CONTAINER_RUNNING, CONTAINER_EXITED), "Degraded");
  cr_assert_str_eq (STATUS (CONTAINER_RUNNING, CONTAINER_CREATED), "Degraded");
  cr_assert_str_eq (STATUS (CONTAINER_EXITED, CONTAINER_EXITED), "Exited");
  cr_assert_str_eq (STATUS (CONTAINER_EXITED, CONTAINER_CREATED), "Stopped");
}

Test (pod, exit_policies)
{
  cr_assert (pod_exit_policy_valid ("continue"));
  cr_assert (pod_exit_policy_valid ("stop"));
  cr_assert_not (pod_exit_policy_valid ("Stop"));
  cr_assert_not (pod_exit_policy_valid (""));
  cr_assert_not (pod_exit_policy_valid (NULL));
}

static char *root;

static void
setup (void)
{
  root = g_dir_make_tmp ("podunit-pod-XXXXXX", NULL);
  cr_assert_not_null (root);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  cr_assert_eq (system (cmd), 0);
  g_clear_pointer (&root, g_free);
}

static void
save (const char *id, const char *name)
{
  g_autoptr (GError) error = NULL;
  char *labels[] = { "a=b", "c=", NULL };
  char *share[] = { "ipc", "net", "uts", NULL };
  Pod p = { .id = (char *) id, .name = (char *) name, .created = 1700000000,
            .infra_id = "1nfra", .exit_policy = "stop", .hostname = (char *) name,
            .labels = labels, .share = share };
  cr_assert (pod_save (&p, root, &error), "%s", error ? error->message : "");
}

#define ID_A "aaaa000000000000000000000000000000000000000000000000000000000001"
#define ID_B "aaab000000000000000000000000000000000000000000000000000000000002"

TestSuite (pod_records, .init = setup, .fini = teardown);

Test (pod_records, saved_and_loaded)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Pod) p = NULL;
  save (ID_A, "web");
  p = pod_load (root, ID_A, &error);
  cr_assert_not_null (p, "%s", error ? error->message : "");
  cr_assert_str_eq (p->name, "web");
  cr_assert_eq (p->created, 1700000000);
  cr_assert_str_eq (p->infra_id, "1nfra");
  cr_assert_str_eq (p->exit_policy, "stop");
  cr_assert_str_eq (p->labels[0], "a=b");
  cr_assert_str_eq (p->labels[1], "c=");
  cr_assert_null (p->labels[2]);
  cr_assert_str_eq (p->share[2], "uts");
}

Test (pod_records, resolved_by_name_id_and_unique_prefix)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *by_name = NULL, *by_id = NULL, *by_prefix = NULL, *ambiguous = NULL,
                  *missing = NULL;
  g_autoptr (GPtrArray) all = NULL;
  save (ID_A, "web");
  save (ID_B, "db");
  all = pod_list (root, NULL);
  cr_assert_eq (all->len, 2);
  by_name = pod_resolve (root, "db", NULL);
  by_id = pod_resolve (root, ID_A, NULL);
  by_prefix = pod_resolve (root, "aaab", NULL);
  cr_assert_str_eq (by_name, ID_B);
  cr_assert_str_eq (by_id, ID_A);
  cr_assert_str_eq (by_prefix, ID_B);
  ambiguous = pod_resolve (root, "aaa", &error);
  cr_assert_null (ambiguous);
  cr_assert_str_eq (error->message, "more than one pod matches \"aaa\"");
  g_clear_error (&error);
  missing = pod_resolve (root, "nosuch", &error);
  cr_assert_null (missing);
  cr_assert (g_error_matches (error, POD_ERROR, POD_ERROR_NOT_FOUND));
  cr_assert_str_eq (error->message, "no pod with name or ID nosuch found: no such pod");
}

Test (pod_records, a_broken_record_is_an_error)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (root, "pods", ID_A, NULL);
  g_autofree char *file = g_build_filename (dir, "pod.conf", NULL);
  cr_assert_eq (g_mkdir_with_parents (dir, 0700), 0);
  cr_assert (g_file_set_contents (file, "[Pod]\nName=x\n", -1, NULL));
  cr_assert_null (pod_load (root, ID_A, &error));
  cr_assert (g_str_has_suffix (error->message, "pod.conf: not a pod record"));
}
