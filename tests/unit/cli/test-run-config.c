/* SPDX-License-Identifier: Apache-2.0 */
/* `podunit run` flags to the container's config (cli/run-config.h): the
 * same library the binary links, given an image config and a caller's
 * environment. Each case is what `podunit inspect` would then show, or the
 * error the user reads. */
#include "cli/run-config.h"
#include "sandbox/userns.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "systemd/cgroup.h"

static char *tmp_root;

static void
setup (void)
{
  tmp_root = g_dir_make_tmp ("podunit-run-config-XXXXXX", NULL);
  cr_assert_not_null (tmp_root);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_root);
  cr_assert_eq (system (cmd), 0);
  g_clear_pointer (&tmp_root, g_free);
}

/* busybox-like: Cmd ["sh"], no entrypoint. */
static char *img_cmd[] = { "sh", NULL };
static char *img_env[] = { "PATH=/bin:/usr/bin", "IMGVAR=1", NULL };
static char *img_labels[] = { "maintainer=someone", NULL };
static const StoreRunImage busybox = {
  .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  .cmd = img_cmd,
  .env = img_env,
  .labels = img_labels,
};

/* Parses `podunit ARGS...` (ARGS[0] the verb) and builds the config as
 * `run` does, with @env as the caller's environment. NULL and @error set
 * on failure. */
static const char *run_pod_id; /* --pod as run.c resolved it, NULL: none */
static const char *const default_share[] = { "ipc", "net", "uts", NULL };
static const char *const *run_pod_share = default_share; /* the pod's --share */

static ContainerConfig *
run_with (const StoreRunImage *img, char **env, GError **error, const char *const *args)
{
  g_autoptr (ContainerConfig) c = g_new0 (ContainerConfig, 1);
  int argc = g_strv_length ((char **) args);
  g_auto (GStrv) owned = g_strdupv ((char **) args); /* GOption reorders argv */
  g_autofree char **argv = g_memdup2 (owned, (argc + 1) * sizeof (char *));
  g_autofree char **command = NULL;
  RunOpts o = { 0 };
  gboolean ok;

  c->id = g_strdup ("f00dcafe1234567890abcdef");
  ok = run_opts_parse (&argc, &argv, &o, TRUE, error);
  if (ok)
    {
      command = g_new0 (char *, argc);
      for (int i = 2; i < argc; i++)
        command[i - 2] = argv[i];
      RunInputs in = {
        .root = tmp_root,
        .img = img,
        .command = command,
        .env = env,
        .journal_socket = "/nonexistent/journal/socket",
        .pod_id = run_pod_id,
        .pod_infra_id = run_pod_id ? "1nfra" : NULL,
        .pod_hostname = run_pod_id ? "podhost" : NULL,
        .pod_share = run_pod_id ? (char **) run_pod_share : NULL,
      };
      ok = run_config_build (&o, &in, c, error);
    }
  run_opts_clear (&o);
  return ok ? g_steal_pointer (&c) : NULL;
}

#define RUN(...) run_with (&busybox, NULL, NULL, (const char *const[]){ "run", __VA_ARGS__, NULL })

/* The error a user reads for `podunit run ARGS`. */
static char *
run_error (const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ContainerConfig) c = run_with (&busybox, NULL, &error, args);
  cr_assert_null (c, "expected %s ... to fail", args[1]);
  cr_assert_not_null (error);
  return g_strdup (error->message);
}
#define RUN_ERROR(...) run_error ((const char *const[]){ "run", __VA_ARGS__, NULL })

static void
assert_strv (char **got, const char *const *want)
{
  g_autofree char *g = got ? g_strjoinv ("|", got) : g_strdup ("(null)");
  g_autofree char *w = g_strjoinv ("|", (char **) want);
  cr_assert_str_eq (g, w);
}
#define ASSERT_STRV(got, ...) assert_strv (got, (const char *const[]){ __VA_ARGS__, NULL })

TestSuite (run_config, .init = setup, .fini = teardown);

Test (run_config, defaults_are_podmans)
{
  g_autoptr (ContainerConfig) c = RUN ("busybox");
  cr_assert_not_null (c);
  ASSERT_STRV (c->argv, "sh");
  cr_assert_str_eq (c->hostname, "f00dcafe1234"); /* the id's first 12 */
  /* podman's defaults: its bridge for root, pasta for a user */
  cr_assert_str_eq (c->network, userns_is_initial () ? "podunit" : "pasta");
  cr_assert_eq (c->stop_signal, 15);
  cr_assert_eq (c->stop_timeout, 10);
  cr_assert_eq (c->shm_size, 64 * 1024 * 1024);
  cr_assert_eq (c->memory, -1);
  cr_assert_eq (c->pids_limit, -1);
  cr_assert_eq (c->cpu_quota, -1);
  cr_assert_str_eq (c->log_driver, "k8s-file"); /* no journald socket */
  cr_assert_str_eq (c->sdnotify, "conmon");
  cr_assert_str_eq (c->cgroups, "enabled");
  cr_assert (c->read_only_tmpfs);
  cr_assert_not (c->read_only);
  cr_assert_not (c->auto_remove);
  cr_assert_null (c->user);
  cr_assert_null (c->workdir);
  ASSERT_STRV (c->mounts, NULL);
  ASSERT_STRV (c->labels, "maintainer=someone");
}

Test (run_config, operands_replace_the_images_cmd)
{
  g_autoptr (ContainerConfig) c = RUN ("busybox", "ls", "-l", "/");
  ASSERT_STRV (c->argv, "ls", "-l", "/"); /* -l is the command's, not run's */
}

Test (run_config, entrypoint_drops_the_images_cmd)
{
  static char *ep[] = { "/entry", "--x", NULL };
  StoreRunImage img = busybox;
  img.entrypoint = ep;
  g_autoptr (ContainerConfig) a
      = run_with (&img, NULL, NULL, (const char *const[]){ "run", "img", NULL });
  ASSERT_STRV (a->argv, "/entry", "--x", "sh");
  g_autoptr (ContainerConfig) b = run_with (
      &img, NULL, NULL, (const char *const[]){ "run", "--entrypoint", "/bin/echo", "img", NULL });
  ASSERT_STRV (b->argv, "/bin/echo");
  g_autoptr (ContainerConfig) j
      = RUN ("--entrypoint", "[\"/bin/sh\",\"-c\"]", "busybox", "echo hi");
  ASSERT_STRV (j->argv, "/bin/sh", "-c", "echo hi");
  g_autofree char *e = RUN_ERROR ("--entrypoint", "", "busybox");
  cr_assert_str_eq (e, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  /* --rootfs (no image) without a command: an empty one, failing at exec as podman's */
  g_autoptr (ContainerConfig) r
      = run_with (NULL, NULL, NULL, (const char *const[]){ "run", "--rootfs", "/tmp", NULL });
  ASSERT_STRV (r->argv, "");
  g_autofree char *bad = RUN_ERROR ("--entrypoint", "[1,2]", "busybox");
  cr_assert_str_eq (bad, "--entrypoint [1,2]: not an array of strings");
  g_autofree char *broken = RUN_ERROR ("--entrypoint", "[\"/bin/sh\"", "busybox");
  cr_assert_str_eq (broken, "--entrypoint [\"/bin/sh\": invalid JSON array");
}

Test (run_config, boolean_flags_take_true_and_false)
{
  g_autoptr (ContainerConfig) a = RUN ("--rm", "--read-only", "busybox");
  cr_assert (a->auto_remove);
  cr_assert (a->read_only);
  g_autoptr (ContainerConfig) b
      = RUN ("--rm=false", "--read-only=TRUE", "--read-only-tmpfs=false", "busybox");
  cr_assert_not (b->auto_remove);
  cr_assert (b->read_only);
  cr_assert_not (b->read_only_tmpfs);
  /* --rm followed by the image: the image is not taken as its value. */
  g_autoptr (ContainerConfig) c = RUN ("--rm", "busybox", "true");
  ASSERT_STRV (c->argv, "true");
  /* Grouped short flags, as pflag reads them. */
  g_autoptr (ContainerConfig) d = RUN ("-it", "busybox");
  cr_assert (d->interactive);
  cr_assert (d->tty);
  g_autofree char *e = RUN_ERROR ("--rm=maybe", "busybox");
  cr_assert_str_eq (e, "invalid argument \"maybe\" for \"--rm\" flag: strconv.ParseBool: "
                      "parsing \"maybe\": invalid syntax\nSee 'podunit run --help'");
}

Test (run_config, bad_and_unsupported_flags_are_named)
{
  g_autofree char *swap = RUN_ERROR ("--memory-swap", "1g", "busybox");
  cr_assert_str_eq (swap, "run: --memory-swap is not supported by podunit yet");
  g_autofree char *unknown = RUN_ERROR ("--frobnicate", "busybox");
  cr_assert_str_eq (unknown, "unknown flag: --frobnicate\nSee 'podunit run --help'");
  g_autofree char *none = run_error ((const char *const[]){ "run", "--rm", NULL });
  cr_assert_str_eq (none, "run: requires at least 1 arg");
  g_autofree char *pull = RUN_ERROR ("--pull", "sometimes", "busybox");
  cr_assert_str_eq (pull,
                    "--pull sometimes: invalid pull policy (always, missing, never or newer)");
  g_autofree char *retry = RUN_ERROR ("--retry", "x", "busybox");
  cr_assert_str_eq (retry, "--retry x: expected a number of retries");
  g_autofree char *wd = RUN_ERROR ("-w", "relative", "busybox");
  cr_assert_str_eq (wd, "-w relative: the working directory must be an absolute path");
  g_autofree char *host = RUN_ERROR ("--add-host", "nohostip", "busybox");
  cr_assert_str_eq (host, "--add-host nohostip: expected HOST:IP");
  g_autofree char *userns = RUN_ERROR ("--userns", "keep-idd", "busybox");
  cr_assert_str_eq (userns,
                    "--userns keep-idd: expected host, private, keep-id, nomap, auto or ns:PATH");
}

/* --secret as podman parses it (pkg/specgenutil parseSecrets): the
 * record's entries, and podman's messages for bad ones. */
Test (run_config, secrets)
{
  g_autoptr (ContainerConfig) c
      = RUN ("--secret", "pw", "--secret", "pw,type=mount,target=rel,uid=1,gid=2,mode=400",
             "--secret", "source=pw,target=/etc/pw", "--secret", "tok,type=env",
             "--secret", "tok,type=env,target=TOKEN", "busybox");
  cr_assert_not_null (c);
  ASSERT_STRV (c->secrets,
               "source=pw,type=mount,target=/run/secrets/pw,uid=0,gid=0,mode=0444",
               "source=pw,type=mount,target=/run/secrets/rel,uid=1,gid=2,mode=0400",
               "source=pw,type=mount,target=/etc/pw,uid=0,gid=0,mode=0444",
               "source=tok,type=env,target=tok", "source=tok,type=env,target=TOKEN");
  g_autoptr (ContainerConfig) none = RUN ("busybox");
  cr_assert_null (none->secrets);

  g_autofree char *type = RUN_ERROR ("--secret", "pw,type=other", "busybox");
  cr_assert_str_eq (type, "type other is invalid: parsing secret");
  g_autofree char *opt = RUN_ERROR ("--secret", "pw,invalid=invalid", "busybox");
  cr_assert_str_eq (opt, "option invalid=invalid invalid: parsing secret");
  g_autofree char *form = RUN_ERROR ("--secret", "pw,type", "busybox");
  cr_assert_str_eq (form, "option type must be in form option=value: parsing secret");
  g_autofree char *env = RUN_ERROR ("--secret", "pw,type=env,uid=1000", "busybox");
  cr_assert_str_eq (env, "UID, GID, Mode options cannot be set with secret type env: parsing secret");
  g_autofree char *two = RUN_ERROR ("--secret", "pw,type=env,type=mount", "busybox");
  cr_assert_str_eq (two, "cannot set more than one secret type: parsing secret");
  g_autofree char *mode = RUN_ERROR ("--secret", "pw,mode=9", "busybox");
  cr_assert_str_eq (mode, "mode 9 invalid: parsing secret");
  g_autofree char *utf = RUN_ERROR ("--secret=x\x80,type=bad", "busybox");
  cr_assert (strstr (utf, "secret"), "%s", utf);
  g_autofree char *nosrc = RUN_ERROR ("--secret", "type=env,target=X", "busybox");
  cr_assert_str_eq (nosrc, "no source found type=env,target=X: parsing secret");
}

Test (run_config, user_namespace_flags_recorded)
{
  /* As Quadlet emits them (UserNS=, UIDMap=, GIDMap=, SubUIDMap=). */
  g_autoptr (ContainerConfig) a = RUN ("--userns", "keep-id:uid=200,gid=210", "busybox");
  cr_assert_str_eq (a->userns, "keep-id:uid=200,gid=210");
  g_autoptr (ContainerConfig) b = RUN ("--uidmap", "0:10000:10", "--uidmap", "10:20000:10",
                                       "--gidmap", "0:10000:10", "busybox");
  cr_assert_eq (g_strv_length (b->uidmap), 2);
  cr_assert_str_eq (b->gidmap[0], "0:10000:10");
  g_autoptr (ContainerConfig) c = RUN ("--subuidname", "utest", "--subgidname", "gtest", "busybox");
  cr_assert_str_eq (c->subuidname, "utest");
  cr_assert_str_eq (c->subgidname, "gtest");
  g_autoptr (ContainerConfig) d
      = RUN ("--userns", "auto:uidmapping=0:10000:10,uidmapping=10:20000:10,gidmapping=0:10000:10,"
                         "gidmapping=10:20000:10,size=20",
             "busybox");
  cr_assert_str_eq (d->userns, "auto:uidmapping=0:10000:10,uidmapping=10:20000:10,"
                               "gidmapping=0:10000:10,gidmapping=10:20000:10,size=20");
  g_autofree char *mix = RUN_ERROR ("--userns", "keep-id", "--uidmap", "0:1:2", "busybox");
  cr_assert_str_eq (mix, "--userns keep-id cannot be combined with --uidmap, --gidmap, "
                         "--subuidname or --subgidname");
  g_autofree char *bad = RUN_ERROR ("--uidmap", "0:1", "busybox");
  cr_assert_str_eq (bad, "--uidmap 0:1: expected CONTAINER_ID:HOST_ID:SIZE");
}

Test (run_config, stop_signal_and_timeout)
{
  g_autoptr (ContainerConfig) a = RUN ("--stop-signal", "KILL", "--stop-timeout", "3", "busybox");
  cr_assert_eq (a->stop_signal, 9);
  cr_assert_eq (a->stop_timeout, 3);
  g_autoptr (ContainerConfig) b = RUN ("--stop-signal", "SIGUSR1", "busybox");
  cr_assert_eq (b->stop_signal, SIGUSR1);
  StoreRunImage img = busybox;
  img.has_stop_signal = TRUE;
  img.stop_signal = "SIGQUIT";
  g_autoptr (ContainerConfig) c
      = run_with (&img, NULL, NULL, (const char *const[]){ "run", "img", NULL });
  cr_assert_eq (c->stop_signal, SIGQUIT);
  g_autofree char *e = RUN_ERROR ("--stop-signal", "SIGNOPE", "busybox");
  cr_assert_str_eq (e, "--stop-signal SIGNOPE: invalid signal");
  g_autofree char *t = RUN_ERROR ("--stop-timeout", "soon", "busybox");
  cr_assert_str_eq (t, "--stop-timeout soon: expected seconds");
}

Test (run_config, resources)
{
  g_autoptr (ContainerConfig) c
      = RUN ("--memory", "64m", "--cpus", "1.5", "--pids-limit", "0", "--shm-size", "1g",
             "--ulimit", "nofile=1024:2048", "--sysctl", "net.ipv4.ip_forward=1", "busybox");
  cr_assert_eq (c->memory, 64 * 1024 * 1024);
  cr_assert_eq (c->cpu_quota, 150000);
  cr_assert_eq (c->pids_limit, CGROUP_UNLIMITED);
  cr_assert_eq (c->shm_size, 1024 * 1024 * 1024);
  ASSERT_STRV (c->ulimits, "nofile=1024:2048");
  ASSERT_STRV (c->sysctls, "net.ipv4.ip_forward=1");
  g_autofree char *shm = RUN_ERROR ("--shm-size", "lots", "busybox");
  cr_assert_str_eq (shm, "--shm-size lots: invalid size");
  g_autofree char *pids = RUN_ERROR ("--pids-limit", "many", "busybox");
  cr_assert_str_eq (pids, "--pids-limit many: expected a number");
  g_autofree char *mem = RUN_ERROR ("--memory", "huge", "busybox");
  cr_assert (g_str_has_prefix (mem, "--memory: "), "%s", mem);
  g_autofree char *ulimit = RUN_ERROR ("--ulimit", "bogus=1", "busybox");
  cr_assert (strstr (ulimit, "bogus"), "%s", ulimit);
  /* Found by tests/fuzz (cli): each crashed (a NULL value read, a NULL
   * end pointer), now each is an error naming the flag. */
  g_autofree char *noval = RUN_ERROR ("--ulimit", "nofile=", "busybox");
  cr_assert_str_eq (noval, "--ulimit nofile=: expected TYPE=SOFT[:HARD]");
  g_autofree char *nocpus = RUN_ERROR ("--cpus", "", "busybox");
  cr_assert (g_str_has_prefix (nocpus, "--cpus: "), "%s", nocpus);
  g_autofree char *nanshm = RUN_ERROR ("--shm-size", "nan", "busybox");
  cr_assert_str_eq (nanshm, "--shm-size nan: invalid size");
  /* GOption converted an unsupported flag's value from the locale, set
   * an error when it was not UTF-8 and called the callback anyway, which
   * set a second one over it (a GLib warning, and the wrong message). */
  g_autofree char *swap = RUN_ERROR ("--memory-swap=x\x80", "busybox");
  cr_assert_str_eq (swap, "run: --memory-swap is not supported by podunit yet");
  g_autofree char *cg = RUN_ERROR ("--cgroups", "sometimes", "busybox");
  cr_assert_str_eq (cg, "--cgroups sometimes: expected enabled, disabled, no-conmon or split");
}

Test (run_config, network_and_names)
{
  g_autoptr (ContainerConfig) c
      = RUN ("--network", "none", "--hostname", "web", "--dns", "10.0.0.1", "--add-host",
             "db:10.0.0.2", "busybox");
  cr_assert_str_eq (c->network, "none");
  cr_assert_str_eq (c->hostname, "web");
  ASSERT_STRV (c->dns, "10.0.0.1");
  ASSERT_STRV (c->add_host, "db:10.0.0.2");
  g_autoptr (ContainerConfig) h = RUN ("--net", "host", "busybox");
  cr_assert_str_eq (h->network, "host");
  g_autoptr (ContainerConfig) b = RUN ("--network", "bridge", "busybox");
  cr_assert_str_eq (b->network, "podunit"); /* podman's bridge: the default network */
  g_autofree char *named = RUN_ERROR ("--network", "mynet", "busybox");
  cr_assert_str_eq (named, "unable to find network with name or ID mynet: network not found");
  g_autofree char *mode = RUN_ERROR ("--network", "slirp4netns", "busybox");
  cr_assert_str_eq (mode, "--network slirp4netns is not supported by podunit yet");
  g_autofree char *joined = RUN_ERROR ("--network", "container:nosuchweb", "busybox");
  cr_assert (strstr (joined, "nosuchweb"), "%s", joined);
}

/* --privileged, --systemd, --timeout, --device-cgroup-rule as podman takes them. */
Test (run_config, privileged_systemd_timeout)
{
  g_autoptr (ContainerConfig) p = RUN ("--privileged", "busybox");
  cr_assert (p->privileged);
  cr_assert_str_eq (p->seccomp_profile, "unconfined");
  ASSERT_STRV (p->unmask, "ALL");
  g_autoptr (ContainerConfig) ps = RUN ("--privileged", "--security-opt", "seccomp=/x.json", "busybox");
  cr_assert_str_eq (ps->seccomp_profile, "/x.json");
  g_autoptr (ContainerConfig) sd = RUN ("--systemd=always", "busybox");
  cr_assert (sd->systemd);
  cr_assert_eq (sd->stop_signal, SIGRTMIN + 3);
  cr_assert (g_str_has_prefix (sd->env[g_strv_length (sd->env) - 1], "container_uuid="));
  g_autoptr (ContainerConfig) init = RUN ("busybox", "/sbin/init");
  cr_assert (init->systemd);
  g_autoptr (ContainerConfig) plain = RUN ("busybox", "true");
  cr_assert (!plain->systemd);
  cr_assert_eq (plain->stop_signal, SIGTERM);
  g_autoptr (ContainerConfig) off = RUN ("--systemd=false", "busybox", "/sbin/init");
  cr_assert (!off->systemd);
  g_autoptr (ContainerConfig) t = RUN ("--timeout", "5", "busybox");
  cr_assert_eq (t->timeout, 5);
  g_autofree char *bt = RUN_ERROR ("--timeout", "-1", "busybox");
  cr_assert_str_eq (bt, "--timeout -1: expected seconds");
  g_autoptr (ContainerConfig) r = RUN ("--device-cgroup-rule", "c 7:* rmw", "busybox");
  ASSERT_STRV (r->device_cgroup_rules, "c 7:* rmw");
  g_autofree char *br = RUN_ERROR ("--device-cgroup-rule", "c 7:* rwx", "busybox");
  cr_assert_str_eq (br, "invalid device access in device-access-add: x");
}

/* -p in podman's forms, normalized one protocol each (net/ports.h). */
Test (run_config, published_ports)
{
  g_autoptr (ContainerConfig) c
      = RUN ("--network", "podunit", "-p", "127.0.0.1:80:90", "-p", ":81:92", "-p", "82:96",
             "-p", "8000-8002:9000-9002", "-p", "53:53/udp", "-p", "84:84/tcp,udp", "-p",
             "[::1]:85:85", "--ip", "10.88.0.9", "--mac-address", "02:00:00:00:00:01",
             "--network-alias", "www", "busybox");
  ASSERT_STRV (c->ports, "127.0.0.1:80:90/tcp", ":81:92/tcp", ":82:96/tcp",
               ":8000-8002:9000-9002/tcp", ":53:53/udp", ":84:84/tcp", ":84:84/udp",
               "[::1]:85:85/tcp");
  cr_assert_str_eq (c->ip, "10.88.0.9");
  cr_assert_str_eq (c->mac, "02:00:00:00:00:01");
  ASSERT_STRV (c->network_aliases, "www");
  g_autoptr (ContainerConfig) free_port = RUN ("--network", "podunit", "-p", "97", "busybox");
  cr_assert (g_str_has_prefix (free_port->ports[0], ":") && g_str_has_suffix (free_port->ports[0], ":97/tcp")
             && !g_str_has_prefix (free_port->ports[0], "::97"));
  g_autofree char *proto = RUN_ERROR ("--network", "podunit", "-p", "80/icmp", "busybox");
  cr_assert_str_eq (proto, "invalid port mapping 80/icmp: the protocol must be tcp, udp or sctp");
  g_autofree char *len = RUN_ERROR ("--network", "podunit", "-p", "80-81:90-92", "busybox");
  cr_assert_str_eq (len, "invalid port mapping 80-81:90-92: the host and container port ranges "
                         "differ in length");
  g_autofree char *priv = RUN_ERROR ("--network", "private", "-p", "80", "busybox");
  cr_assert_str_eq (priv, "-p/--publish needs a bridge network or pasta (--network private has none)");
  /* podman discards them (with a warning) where the network is not the container's */
  g_autoptr (ContainerConfig) none = RUN ("--network", "none", "-p", "80", "busybox");
  cr_assert_null (none->ports[0]);
  g_autofree char *mac = RUN_ERROR ("--network", "podunit", "--mac-address", "01:00:00:00:00:01",
                                    "busybox");
  cr_assert_str_eq (mac, "--mac-address 01:00:00:00:00:01: not a unicast MAC address");
}

Test (run_config, security_options)
{
  g_autoptr (ContainerConfig) c
      = RUN ("--cap-add", "NET_ADMIN", "--cap-drop", "ALL", "--security-opt",
             "no-new-privileges", "--security-opt", "seccomp=unconfined", "--security-opt",
             "mask=/a:/b", "--security-opt", "unmask=/proc/kcore", "--security-opt",
             "label=disable", "busybox");
  ASSERT_STRV (c->cap_add, "NET_ADMIN");
  ASSERT_STRV (c->cap_drop, "ALL");
  cr_assert (c->no_new_privs);
  cr_assert_str_eq (c->seccomp_profile, "unconfined");
  ASSERT_STRV (c->mask, "/a", "/b");
  ASSERT_STRV (c->unmask, "/proc/kcore");
  g_autofree char *e = RUN_ERROR ("--security-opt", "apparmor=x", "busybox");
  cr_assert_str_eq (e, "--security-opt apparmor=x is not supported");
}

Test (run_config, labels_annotations_and_the_systemd_unit)
{
  char *env[] = { "PODMAN_SYSTEMD_UNIT=web.service", NULL };
  g_autoptr (ContainerConfig) c = run_with (
      &busybox, env, NULL,
      (const char *const[]){ "run", "-l", "a=b", "--label", "flag", "--annotation", "k=v",
                             "busybox", NULL });
  ASSERT_STRV (c->labels, "maintainer=someone", "a=b", "flag=",
               "PODMAN_SYSTEMD_UNIT=web.service");
  ASSERT_STRV (c->annotations, "k=v");
}

Test (run_config, logging_and_sdnotify)
{
  g_autoptr (ContainerConfig) c = RUN ("--log-driver", "journald", "--log-opt", "tag=web",
                                       "--sdnotify", "container", "busybox");
  cr_assert_str_eq (c->log_driver, "journald");
  cr_assert_str_eq (c->log_tag, "web");
  cr_assert_str_eq (c->sdnotify, "container");
  cr_assert_eq (c->log_size_max, -1, "no max-size: no limit");
  g_autoptr (ContainerConfig) sized = RUN ("--log-opt", "max-size=5.023m", "busybox");
  cr_assert_eq (sized->log_size_max, 5023000, "decimal units, as podman");
  g_autoptr (ContainerConfig) kib = RUN ("--log-opt", "max-size=4KiB", "busybox");
  cr_assert_eq (kib->log_size_max, 4096);
  g_autofree char *badsize = RUN_ERROR ("--log-opt", "max-size=10q", "busybox");
  cr_assert_str_eq (badsize, "--log-opt max-size=10q: invalid size");
  g_autofree char *opt = RUN_ERROR ("--log-opt", "max-file=3", "busybox");
  cr_assert_str_eq (opt,
                    "--log-opt max-file=3 is not supported by podunit yet (path=, max-size=, tag=)");
  g_autofree char *tmpl = RUN_ERROR ("--log-opt", "tag={{.Name}}", "busybox");
  cr_assert_str_eq (tmpl, "log tag {{.Name}}: templates in the tag are not supported by podunit yet");
  g_autofree char *noeq = RUN_ERROR ("--log-opt", "path", "busybox");
  cr_assert_str_eq (noeq, "invalid log option \"path\"");
  g_autoptr (ContainerConfig) json = RUN ("--log-driver", "json-file", "--log-opt", "path=/l/c.log",
                                          "busybox");
  cr_assert_str_eq (json->log_driver, "json-file", "kept as given, as podman's inspect shows it");
  cr_assert_str_eq (json->log_path, "/l/c.log");
  g_autoptr (ContainerConfig) last = RUN ("--log-driver", "none", "--log-opt", "driver=k8s-file",
                                          "--log-opt", "max-size=1k", "busybox");
  cr_assert_str_eq (last->log_driver, "k8s-file", "--log-opt driver= picks the driver");
  g_autofree char *bad = RUN_ERROR ("--log-driver", "syslog", "busybox");
  cr_assert_str_eq (bad, "running container create option: invalid log driver: invalid argument");
  g_autofree char *notify = RUN_ERROR ("--sdnotify", "later", "busybox");
  cr_assert_str_eq (notify, "--sdnotify later: expected conmon, container, healthy or ignore");
}

Test (run_config, user_and_workdir_from_flag_or_image)
{
  StoreRunImage img = busybox;
  img.user = "daemon";
  img.working_dir = "/srv";
  g_autoptr (ContainerConfig) a
      = run_with (&img, NULL, NULL, (const char *const[]){ "run", "img", NULL });
  cr_assert_str_eq (a->user, "daemon");
  cr_assert_str_eq (a->workdir, "/srv");
  g_autoptr (ContainerConfig) b = run_with (
      &img, NULL, NULL,
      (const char *const[]){ "run", "-u", "1000:1000", "-w", "/tmp", "--group-add", "wheel",
                             "img", NULL });
  cr_assert_str_eq (b->user, "1000:1000");
  cr_assert_str_eq (b->workdir, "/tmp");
  ASSERT_STRV (b->group_add, "wheel");
}

Test (run_config, mounts_in_flag_order)
{
  g_autoptr (ContainerConfig) c
      = RUN ("--tmpfs", "/run:size=1m", "--mount", "type=bind,src=/tmp,dst=/in,ro", "-v",
             "/tmp:/data:ro", "busybox");
  /* -v first, then --mount, then --tmpfs, as podman orders them. */
  ASSERT_STRV (c->mounts, "type=bind,source=/tmp,destination=/data,ro",
               "type=bind,source=/tmp,destination=/in,ro", "type=tmpfs,destination=/run,size=1m");
  g_autofree char *e = RUN_ERROR ("-v", "/nonexistent-podunit:/x", "busybox");
  cr_assert_str_eq (e, "-v /nonexistent-podunit:/x: statfs /nonexistent-podunit: no such file "
                       "or directory");
}

/* ---- the environment ---- */

static char *
env_of (ContainerConfig *c, const char *key)
{
  const char *v = container_strv_get (c->env, key);
  return v ? g_strdup (v) : NULL;
}

Test (run_config, env_defaults_then_image)
{
  g_autoptr (ContainerConfig) c = RUN ("busybox");
  /* The image's PATH replaces podman's default in place. */
  ASSERT_STRV (c->env, "PATH=/bin:/usr/bin", "container=podman", "IMGVAR=1");
  g_autoptr (ContainerConfig) t = RUN ("-t", "busybox");
  g_autofree char *term = env_of (t, "TERM");
  cr_assert_str_eq (term, "xterm");
}

Test (run_config, env_flags_in_order_and_from_the_caller)
{
  char *caller[] = { "HOME=/root", "FOO=from-caller", "APP_A=1", "APP_B=2", "OTHER=x", NULL };
  g_autoptr (ContainerConfig) c = run_with (
      &busybox, caller, NULL,
      (const char *const[]){ "run", "-e", "IMGVAR=2", "-e", "FOO", "-e", "UNSET", "-e", "APP_*",
                             "-e", "X=a=b", "busybox", NULL });
  ASSERT_STRV (c->env, "PATH=/bin:/usr/bin", "container=podman", "IMGVAR=2", "FOO=from-caller",
               "APP_A=1", "APP_B=2", "X=a=b");
}

Test (run_config, env_proxies_unless_http_proxy_false)
{
  char *caller[] = { "https_proxy=http://proxy:3128", "NO_PROXY=local", "OTHER=x", NULL };
  g_autoptr (ContainerConfig) a = run_with (&busybox, caller, NULL,
                                            (const char *const[]){ "run", "busybox", NULL });
  g_autofree char *p = env_of (a, "https_proxy");
  g_autofree char *n = env_of (a, "NO_PROXY");
  g_autofree char *o = env_of (a, "OTHER");
  cr_assert_str_eq (p, "http://proxy:3128");
  cr_assert_str_eq (n, "local");
  cr_assert_null (o);
  g_autoptr (ContainerConfig) b = run_with (
      &busybox, caller, NULL, (const char *const[]){ "run", "--http-proxy=false", "busybox", NULL });
  g_autofree char *none = env_of (b, "https_proxy");
  cr_assert_null (none);
}

Test (run_config, env_host_then_file_then_flags)
{
  char *caller[] = { "OTHER=x", "IMGVAR=caller", NULL };
  g_autofree char *file = g_build_filename (tmp_root, "env", NULL);
  cr_assert (g_file_set_contents (file,
                                  "# a comment\n\n  FROMFILE=1  \nOTHER=file\nIMGVAR=file\n",
                                  -1, NULL));
  g_autoptr (ContainerConfig) c = run_with (
      &busybox, caller, NULL,
      (const char *const[]){ "run", "--env-host", "--env-file", file, "-e", "IMGVAR=flag",
                             "busybox", NULL });
  ASSERT_STRV (c->env, "PATH=/bin:/usr/bin", "container=podman", "IMGVAR=flag", "OTHER=file",
               "FROMFILE=1");
  g_autoptr (GError) error = NULL;
  g_autoptr (ContainerConfig) missing = run_with (
      &busybox, caller, &error,
      (const char *const[]){ "run", "--env-file", "/nonexistent/podunit.env", "busybox", NULL });
  cr_assert_null (missing);
  cr_assert (strstr (error->message, "/nonexistent/podunit.env"), "%s", error->message);
}

/* ---- health ---- */

Test (run_config, health_flags)
{
  g_autofree char **argv = NULL;
  const char *args[] = { "run", "--health-cmd", "true", "--health-retries", "2", "busybox",
                         NULL };
  g_auto (GStrv) owned = g_strdupv ((char **) args);
  int argc = 6;
  RunOpts o = { 0 };
  HealthConfig hc = { 0 };
  argv = g_memdup2 (owned, sizeof args);
  cr_assert (run_opts_parse (&argc, &argv, &o, TRUE, NULL));
  cr_assert (run_config_health (&o, &hc, NULL));
  cr_assert_not_null (hc.test);
  cr_assert_eq (hc.retries, 2);
  health_config_clear (&hc);
  run_opts_clear (&o);
}

/* --pod (resolved by run.c): the member joins the infra's namespaces, its
 * host name is the pod's, and the network flags belong to the pod. */
Test (run_config, pod_member_joins_the_infra)
{
  run_pod_id = "p0d";
  g_autoptr (ContainerConfig) c = RUN ("--pod", "app", "busybox");
  g_autofree char *ports = RUN_ERROR ("--pod", "app", "-p", "8080:80", "busybox");
  g_autofree char *net = RUN_ERROR ("--pod", "app", "--network", "lan", "busybox");
  g_autofree char *host = RUN_ERROR ("--pod", "app", "--hostname", "x", "busybox");
  g_autofree char *dns = RUN_ERROR ("--pod", "app", "--dns", "1.1.1.1", "busybox");
  run_pod_id = NULL;
  cr_assert_not_null (c);
  cr_assert_str_eq (c->pod, "p0d");
  cr_assert_str_eq (c->network, "container:1nfra");
  cr_assert_str_eq (c->hostname, "podhost");
  cr_assert_str_eq (ports, "invalid config provided: published or exposed ports must be defined "
                           "when the pod is created: network cannot be configured when it is "
                           "shared with a pod");
  cr_assert_str_eq (net, ports);
  cr_assert_str_eq (host, "invalid config provided: cannot set hostname when joining the pod UTS "
                          "namespace");
  cr_assert (strstr (dns, "belong to the pod"));
  cr_assert_str_eq (c->pod_infra, "1nfra");
  assert_strv (c->pod_share, default_share);
}

/* --share ipc: the member keeps its own network and host name. */
Test (run_config, pod_member_joins_what_the_pod_shares)
{
  static const char *const ipc[] = { "ipc", NULL };
  run_pod_id = "p0d";
  run_pod_share = ipc;
  g_autoptr (ContainerConfig) c = RUN ("--pod", "app", "--hostname", "foobar", "busybox");
  run_pod_id = NULL;
  run_pod_share = default_share;
  cr_assert_not_null (c);
  cr_assert_str_eq (c->hostname, "foobar");
  /* its own network: the default, as without a pod */
  cr_assert_str_eq (c->network, userns_is_initial () ? "podunit" : "pasta");
  cr_assert_str_eq (c->pod_infra, "1nfra");
  assert_strv (c->pod_share, ipc);
}

Test (run_config, no_pod_no_pod_fields)
{
  g_autoptr (ContainerConfig) c = RUN ("--conmon-pidfile", "/run/x.pid", "busybox");
  cr_assert_null (c->pod);
  cr_assert_not (c->infra);
  cr_assert_str_eq (c->conmon_pidfile, "/run/x.pid");
}

/* containers.conf's runtime flags for podunit (the runtime is podunit):
 * the [engine.runtimes_flags] table as podman's system test writes it;
 * other runtimes' entries are not podunit's. */
Test (run_config, containers_conf_runtime_flags)
{
  static const char text[] = "[engine]\nruntime=\"podunit\"\n\n[engine.runtimes_flags]\n"
                             "crun = [\"systemd-cgroup\"]\npodunit = [\n  \"debug\",\n  \"invalidflag\",\n]\n";
  g_auto (ContainersConf) cf = { 0 };
  g_autoptr (GError) error = NULL;
  containers_conf_clear (&cf);
  cr_assert (containers_conf_apply (&cf, text, strlen (text), "t.conf", &error));
  cr_assert_not_null (cf.runtime_flags);
  cr_assert_eq (g_strv_length (cf.runtime_flags), 2);
  cr_assert_str_eq (cf.runtime_flags[0], "debug");
  cr_assert_str_eq (cf.runtime_flags[1], "invalidflag");

  static const char bad[] = "[engine.runtimes_flags]\npodunit = \"debug\"\n";
  cr_assert_not (containers_conf_apply (&cf, bad, strlen (bad), "t.conf", &error));
  cr_assert_str_eq (error->message, "t.conf: [engine.runtimes_flags] podunit: expected an array of strings");
}

/* [engine] static_dir: an absolute path, kept canonical; a relative one is
 * an error naming the file. */
Test (run_config, containers_conf_static_dir)
{
  static const char text[] = "[engine]\nstatic_dir=\"/var/tmp/x/../db/\"\n";
  static const char rel[] = "[engine]\nstatic_dir=\"db\"\n";
  g_auto (ContainersConf) cf = { 0 };
  g_autoptr (GError) error = NULL;
  containers_conf_clear (&cf);
  cr_assert (containers_conf_apply (&cf, text, strlen (text), "t.conf", &error));
  cr_assert_str_eq (cf.static_dir, "/var/tmp/db");
  cr_assert_not (containers_conf_apply (&cf, rel, strlen (rel), "t.conf", &error));
  cr_assert_str_eq (error->message, "t.conf: [engine] static_dir: db is not an absolute path");
}
