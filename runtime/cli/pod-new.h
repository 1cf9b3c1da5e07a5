/* SPDX-License-Identifier: Apache-2.0 */
/* Making a pod from run's network flags (cli/pod.c): `pod create` and
 * `run --pod new:NAME` share it. */
#pragma once

#include "cli/cli.h"
#include "cli/run-config.h"
#include "pod/pod.h"

/* Creates pod @p (name, hostname, share, labels, exit policy filled in
 * by the caller) whose infra takes @o's network flags: --network, -p,
 * --ip, --mac-address, --network-alias (the pod's name is one more),
 * --dns*, --add-host. */
gboolean cli_pod_new (CliGlobal *g, RunOpts *o, Pod *p, const char *infra_name,
                      const char *pidfile, gboolean replace, GError **error);
