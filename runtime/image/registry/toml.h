/* SPDX-License-Identifier: Apache-2.0 */
/* A small strict TOML reader for the subset containers-registries.conf(5)
 * files use (RHEL ships no C TOML library): comments, [table] and
 * [[array.of.tables]] headers (dotted), bare or quoted keys, basic and
 * literal strings, booleans, integers and (multi-line) arrays. Anything
 * else (inline tables, dates, floats, multi-line strings, dotted keys,
 * a key given twice) is an error naming FILE:LINE. The result is a JSON
 * tree (objects for tables, arrays for arrays and arrays of tables). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

JsonNode *toml_parse (const char *data, gsize len, const char *file, GError **error);
