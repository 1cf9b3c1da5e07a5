/* SPDX-License-Identifier: Apache-2.0 */
/* Making a pod from run's network flags (cli/pod.c): `pod create` and
 * `run --pod new:NAME` share it. */
#pragma once

#include "cli/cli.h"
#include "cli/run-config.h"
#include "pod/pod.h"

/* pod create's flags for the infra container. */
typedef struct {
  gboolean none;       /* --infra=false (or --share none): no infra */
  const char *name;    /* --infra-name */
  const char *pidfile; /* --infra-conmon-pidfile */
  const char *image;   /* --infra-image: its process from this image, not podunit-pause */
  const char *command; /* --infra-command: that image's command */
} PodInfraOpts;

/* Creates pod @p (name, hostname, share, labels, exit policy filled in
 * by the caller) whose infra (@infra, NULL: the defaults) takes @o's
 * network flags: --network, -p, --ip, --mac-address, --network-alias (the
 * pod's name is one more), --dns*, --add-host. */
gboolean cli_pod_new (CliGlobal *g, RunOpts *o, Pod *p, const PodInfraOpts *infra,
                      gboolean replace, GError **error);
