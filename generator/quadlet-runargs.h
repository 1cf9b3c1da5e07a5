/* SPDX-License-Identifier: Apache-2.0 */
/* Arguments that `podman run` (.container) and `podman pod create` (.pod)
 * share: networks, published ports, volumes and the storage sources they
 * name, and user-namespace mappings. Each helper reads its keys from
 * @group of the Quadlet file, appends flags to the command line, and adds
 * the [Unit] dependencies a reference to another Quadlet file needs.
 * Errors are QUADLET_ERROR with Quadlet's texts. */
#pragma once

#include "quadlet.h"

/* Network=: host/none/NAME pass through; x.network becomes its podman name
 * and x.container becomes container:NAME, both with Requires=/After= on the
 * referenced service. */
gboolean quadlet_add_networks (QuadletContext *ctx, UnitFile *unit, const char *group,
                               UnitFile *service, PodmanCmdline *c, GError **error);

/* PublishPort=: --publish VALUE for every value, unchecked (values may use
 * ${VARIABLES} systemd expands at run time). */
void quadlet_add_publish_ports (UnitFile *unit, const char *group, PodmanCmdline *c);

/* Volume=[SOURCE:]DEST[:OPTIONS]: -v with SOURCE resolved by
 * quadlet_resolve_storage_source(). */
gboolean quadlet_add_volumes (QuadletContext *ctx, UnitFile *unit, const char *group,
                              UnitFile *service, PodmanCmdline *c, GError **error);

/* The source of a volume or mount: "./rel" becomes absolute; an absolute
 * path adds RequiresMountsFor=; x.volume (and with @check_image x.image,
 * x.build and x.artifact) becomes the referenced resource's name with
 * Requires=/After= on its service; anything else is returned unchanged.
 * Caller frees. */
char *quadlet_resolve_storage_source (QuadletContext *ctx, UnitFile *unit, UnitFile *service,
                                      const char *source, gboolean check_image, GError **error);

/* UserNS=, UIDMap=, GIDMap=, SubUIDMap=, SubGIDMap=, or the deprecated
 * RemapUsers=/RemapUid=/RemapGid=/RemapUidSize= (never both kinds).
 * @support_manual allows RemapUsers=manual. */
gboolean quadlet_add_user_mappings (UnitFile *unit, const char *group, PodmanCmdline *c,
                                    gboolean support_manual, GError **error);

/* FLAG WORD for every word of every @key (systemd list splitting); TRUE
 * when there was one. */
gboolean quadlet_add_all_words (UnitFile *unit, const char *group, const char *key,
                                const char *flag, PodmanCmdline *c);

/* Quadlet's port check: the value ends in NUMBER[-NUMBER][/tcp|/udp]. */
gboolean quadlet_is_port_range (const char *port);
