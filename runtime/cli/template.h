/* SPDX-License-Identifier: Apache-2.0 */
/* The subset of Go templates podman users put in --format: "{{.Field}}",
 * "{{.A.B}}", "{{json .X}}", "{{json .}}", "{{upper .X}}", "{{lower .X}}",
 * literal "\t" and "\n", and a "table " prefix that prints a header row and
 * aligns the tab-separated columns as podman's tabwriter does.  Fields are
 * looked up in a JSON object per row, so every verb can reuse it. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct _CliTemplate CliTemplate;

/* HEADERS maps a field name ("ID") to its table header ("IMAGE ID"); fields
 * not in it get their name upper-cased. */
CliTemplate *cli_template_new (const char *format, GHashTable *headers, GError **error);
void cli_template_free (CliTemplate *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliTemplate, cli_template_free)

/* Renders one row; fails naming the field when ROW lacks it. */
gboolean cli_template_add_row (CliTemplate *t, JsonObject *row, GError **error);
/* Writes header (for "table") and rows to stdout. */
void cli_template_print (CliTemplate *t);

/* Prints ROWS (arrays of cells) aligned as podman's tabwriter(minwidth 12,
 * padding 2) does: every column but the last padded. */
void cli_print_table (GPtrArray *rows);
