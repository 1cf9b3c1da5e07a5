/* SPDX-License-Identifier: Apache-2.0 */
/* A systemd unit file in memory: parsed from text (line continuations,
 * comments inside continuations, repeated groups merged, repeated keys kept
 * in order, empty assignment resetting a list), edited, and written back
 * with comments and key order preserved. Semantics follow Quadlet's parser
 * so that existing Quadlet files mean the same thing here.
 *
 * Every key line remembers the file and line it came from, so callers can
 * name "web.container:12" in their messages. */
#pragma once

#include <glib.h>

#define UNIT_FILE_ERROR (unit_file_error_quark ())
GQuark unit_file_error_quark (void);
typedef enum {
  UNIT_FILE_ERROR_SYNTAX, /* a line that is not a group, key or comment */
  UNIT_FILE_ERROR_IO,
  UNIT_FILE_ERROR_INVALID, /* NUL bytes, invalid UTF-8 in names, ... */
} UnitFileError;

typedef struct _UnitFile UnitFile;

UnitFile *unit_file_new (void);
void unit_file_free (UnitFile *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UnitFile, unit_file_free)

/* Parses @data (@len bytes, or -1 for NUL-terminated). @path is used for
 * messages and unit_file_get_path(); it may be NULL. Errors read
 * "PATH:LINE: …". */
UnitFile *unit_file_parse (const char *data, gssize len, const char *path, GError **error);
/* The largest unit file read (a generator must not be made to read
 * without end at boot). */
#define UNIT_FILE_MAX_SIZE (1024 * 1024)
/* Reads and parses @path: a regular file (not a FIFO or a device; symlinks
 * followed) of at most UNIT_FILE_MAX_SIZE bytes, opened without blocking. */
UnitFile *unit_file_load (const char *path, GError **error);
/* The same for the file @name in the directory open as @dirfd, which is
 * @path: a loop over a directory's files walks the path only once.
 * @is_regular: the caller knows (from the directory entry) that it is a
 * regular file, so it needs no fstat(2). */
UnitFile *unit_file_load_at (int dirfd, const char *name, const char *path, gboolean is_regular,
                             GError **error);
/* Parses @data into an existing file (used for drop-ins: groups and keys are
 * appended after what @f already has). */
gboolean unit_file_parse_into (UnitFile *f, const char *data, gssize len, const char *path,
                               GError **error);

const char *unit_file_get_path (const UnitFile *f);     /* full path, may be NULL */
const char *unit_file_get_filename (const UnitFile *f); /* basename, may be NULL */
void unit_file_set_path (UnitFile *f, const char *path); /* also sets the filename */
void unit_file_set_filename (UnitFile *f, const char *filename);

/* Appends @src's groups/lines to @dst (groups merged by name). */
void unit_file_merge (UnitFile *dst, const UnitFile *src);
/* Copy with the same filename (not path), as Quadlet's Dup(). */
UnitFile *unit_file_dup (const UnitFile *f);

gboolean unit_file_has_group (const UnitFile *f, const char *group);
void unit_file_remove_group (UnitFile *f, const char *group);
/* Renames @group; merges into @new_name when that exists already. */
void unit_file_rename_group (UnitFile *f, const char *group, const char *new_name);
/* Group names in file order (NULL-terminated, g_strfreev). */
char **unit_file_list_groups (const UnitFile *f);
/* Distinct key names of @group in first-seen order (g_strfreev). */
char **unit_file_list_keys (const UnitFile *f, const char *group);

/* The first key line of @group, in file order, for which @match returns
 * TRUE: its key (borrowed), or NULL. */
const char *unit_file_find_key (const UnitFile *f, const char *group,
                                gboolean (*match) (const char *key, gpointer data),
                                gpointer data);

/* The same for the values of the key lines, as written (raw). */
const char *unit_file_find_value (const UnitFile *f, const char *group,
                                  gboolean (*match) (const char *value, gpointer data),
                                  gpointer data);

/* Last value of @key, raw (borrowed; NULL when absent). */
const char *unit_file_lookup_last_raw (const UnitFile *f, const char *group, const char *key);
gboolean unit_file_has_key (const UnitFile *f, const char *group, const char *key);
/* Source of the last @key line: its file (borrowed) and line number, 0 if absent. */
int unit_file_lookup_line (const UnitFile *f, const char *group, const char *key, const char **source);
/* Last value, trailing whitespace kept (caller frees; NULL when absent). */
char *unit_file_lookup_last (const UnitFile *f, const char *group, const char *key);
/* Last value, trailing whitespace removed and one matched pair of
 * surrounding double quotes stripped (caller frees; NULL when absent). */
char *unit_file_lookup (const UnitFile *f, const char *group, const char *key);
/* TRUE when present; *value is 1/yes/true/on (case-insensitive). */
gboolean unit_file_lookup_boolean (const UnitFile *f, const char *group, const char *key,
                                   gboolean *value);
gboolean unit_file_lookup_boolean_default (const UnitFile *f, const char *group, const char *key,
                                           gboolean def);
/* strtol-like (0x hex, leading 0 octal); @def when absent or invalid. */
gint64 unit_file_lookup_int (const UnitFile *f, const char *group, const char *key, gint64 def);
guint32 unit_file_lookup_uint32 (const UnitFile *f, const char *group, const char *key,
                                 guint32 def);
/* A number or a user/group name. When absent: *ret = @def, unless @def is
 * G_MAXUINT32, which makes absence an error. */
gboolean unit_file_lookup_uid (const UnitFile *f, const char *group, const char *key, guint32 def,
                               guint32 *ret, GError **error);
gboolean unit_file_lookup_gid (const UnitFile *f, const char *group, const char *key, guint32 def,
                               guint32 *ret, GError **error);

/* Every value of @key in order, an empty assignment clearing the ones
 * before it (g_strfreev; never NULL). */
char **unit_file_lookup_all_raw (const UnitFile *f, const char *group, const char *key);
char **unit_file_lookup_all (const UnitFile *f, const char *group, const char *key);
/* Calls @func with every value of @key in order (as unit_file_lookup_all()
 * gives them, but borrowed: valid during the call); stops when it returns
 * FALSE. */
typedef gboolean (*UnitFileValueFunc) (const char *value, gpointer data);
void unit_file_foreach_value (const UnitFile *f, const char *group, const char *key,
                              UnitFileValueFunc func, gpointer data);
/* All values split into words, systemd config_parse_strv() style (quotes
 * removed, backslashes kept). */
char **unit_file_lookup_all_strv (const UnitFile *f, const char *group, const char *key);
/* All values split exec-style (unquote + C unescape); values that fail to
 * split are skipped. */
char **unit_file_lookup_all_args (const UnitFile *f, const char *group, const char *key);
/* Last value split exec-style. Returns FALSE with @error on bad escapes or
 * quotes; TRUE with *ret = NULL when the key is absent. */
gboolean unit_file_lookup_last_args (const UnitFile *f, const char *group, const char *key,
                                     char ***ret, GError **error);
/* Environment=-style KEY=VALUE words of every value. Returns a table of
 * key -> value (value NULL for a bare word without '='); later keys win.
 * Problems (bad escapes, a bare word after an assignment) are appended to
 * @warnings (GPtrArray of g_free'd strings) when it is not NULL. */
GHashTable *unit_file_lookup_all_key_val (const UnitFile *f, const char *group, const char *key,
                                          GPtrArray *warnings);
/* The same as words ("KEY=VALUE", or "KEY" for a bare word), one per key,
 * sorted by key, each passed to @func (borrowed: valid during the call). */
void unit_file_foreach_key_val_word (const UnitFile *f, const char *group, const char *key,
                                     GPtrArray *warnings, UnitFileValueFunc func, gpointer data);

/* Replaces the last @key's value, or appends it. */
void unit_file_set (UnitFile *f, const char *group, const char *key, const char *value);
void unit_file_add (UnitFile *f, const char *group, const char *key, const char *value);
/* Adds @value quoted/escaped when it needs it. */
void unit_file_add_escaped (UnitFile *f, const char *group, const char *key, const char *value);
/* Adds the words of @argv (NULL-terminated) as one escaped command line. */
void unit_file_add_cmdline (UnitFile *f, const char *group, const char *key,
                            const char *const *argv);
void unit_file_unset (UnitFile *f, const char *group, const char *key);
/* "# comment" lines before @group's header ("" = the first group). */
void unit_file_add_comment (UnitFile *f, const char *group, const char *comment);
void unit_file_prepend_comment (UnitFile *f, const char *group, const char *comment);
/* Inserts a key line at the start of @group. */
void unit_file_prepend_line (UnitFile *f, const char *group, const char *key, const char *value);

/* Length of the first line, in file order, longer than @max bytes
 * ("Key=value" without the newline), or 0; its group and key (borrowed)
 * through the optional out pointers. */
gsize unit_file_find_long_line (const UnitFile *f, gsize max, const char **group,
                                const char **key);

/* The file in systemd syntax (caller frees). */
char *unit_file_to_string (const UnitFile *f);
/* The same, with its length in *@len. */
char *unit_file_to_string_len (const UnitFile *f, gsize *len);
/* The same appended to @out (a buffer the caller may reuse). */
void unit_file_append_to (const UnitFile *f, GString *out);

/* "foo@bar.container" -> ("foo", "bar", TRUE); "foo.container" ->
 * ("foo", "", FALSE). Either out pointer may be NULL. */
gboolean unit_file_get_template_parts (const UnitFile *f, char **unit_name, char **instance);
/* Drop-in directory names to search, most specific first
 * (foo@bar.container.d, foo@.container.d, …, container.d). */
char **unit_file_get_dropin_dirs (const UnitFile *f);
