/* SPDX-License-Identifier: Apache-2.0 */
/* state.json's one layout, written by container_state_save and by
 * podunit-supervisor (libc only, no JSON library) and read back with
 * sscanf by container_state_load: status, pid, supervisor_pid (int),
 * exit_code (int), started_at, finished_at (long long, unix usec). */
#pragma once

#define CONTAINER_STATE_JSON                                                                  \
  "{\"status\":\"%s\",\"pid\":%d,\"supervisor_pid\":%d,\"exit_code\":%d,"                     \
  "\"started_at\":%lld,\"finished_at\":%lld}\n"
/* The same, for sscanf (%n after it: how far it matched). */
#define CONTAINER_STATE_JSON_SCAN                                                             \
  "{\"status\":\"%15[a-z]\",\"pid\":%d,\"supervisor_pid\":%d,\"exit_code\":%d,"               \
  "\"started_at\":%lld,\"finished_at\":%lld}%n"
