/* SPDX-License-Identifier: Apache-2.0 */
/* Go templates as podman's --format reads them, over a JSON object per row
 * (the fields podman documents for the verb): fields "{{.A.B}}", "$",
 * pipelines "{{.X | upper}}", parentheses, string/number literals,
 * {{if}}/{{else}}/{{else if}}/{{with}}/{{range}}...{{end}}, "{{- -}}"
 * trimming, Go's builtins (printf print println len index eq ne not and
 * or) and podman's (json join split upper lower title truncate pad), and a
 * "table " prefix that prints a header row and aligns the tab-separated
 * columns as podman's tabwriter does. Values print as Go prints them:
 * arrays "[a b]", maps "map[k:v]", a missing map key "<no value>". */
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
/* Writes header (for "table", unless @noheading) and rows to stdout. */
void cli_template_print (CliTemplate *t, gboolean noheading);
/* TRUE for --format json (podman prints the rows as a JSON array). */
gboolean cli_template_is_json (const char *format);
/* Prints ROOT indented by 4, as podman's json output; bytes that are not
 * UTF-8 become U+FFFD, as podman's encoder writes them. */
void cli_print_json (JsonNode *root);
/* Prints ROWS (JsonObjects) as an indented JSON array, as podman's json. */
void cli_print_json_rows (GPtrArray *rows);

/* Prints ROWS (arrays of cells) aligned as podman's tabwriter(minwidth 12,
 * padding 2) does: every column but the last padded. */
void cli_print_table (GPtrArray *rows);

/* LABELS ("k=v" strings) as podman's ps and pod ps reporters print
 * {{.Labels}}: "k=v,k2=v2", sorted. */
char *cli_labels_text (char *const *labels);
