/* SPDX-License-Identifier: Apache-2.0 */
#include "json-strv.h"

#include <json-glib/json-glib.h>

char **
json_strv_parse (const char *text, gboolean *is_array)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  JsonNode *root;
  JsonArray *a;

  if (is_array)
    *is_array = FALSE;
  if (!json_parser_load_from_data (p, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (p);
  if (!root || !JSON_NODE_HOLDS_ARRAY (root))
    return NULL;
  if (is_array)
    *is_array = TRUE;
  a = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return NULL;
      g_ptr_array_add (out, g_strdup (json_node_get_string (e)));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
