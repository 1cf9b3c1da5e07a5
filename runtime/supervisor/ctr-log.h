/* SPDX-License-Identifier: Apache-2.0 */
/* The container's output as the supervisor logs it (conmon's
 * ctr_logging.c): what its stdout and stderr pipes deliver, cut into
 * lines, to the k8s-file or to journald. systemd/journal.h describes both
 * formats and the journald fields; `podunit logs` reads them back there.
 *
 * A line without its newline yet is held until it has CTR_LOG_LINE_MAX
 * bytes; longer ones go out in pieces of that size flagged partial (P in
 * the k8s-file, CONTAINER_PARTIAL_MESSAGE=true in the journal), the last
 * piece without the flag. libc only, no allocation: the supervisor stays
 * at conmon's size. */
#pragma once

#include <stddef.h>

#define CTR_LOG_LINE_MAX 8192

typedef enum
{
  CTR_LOG_NONE,
  CTR_LOG_K8S_FILE,
  CTR_LOG_JOURNALD,
} CtrLogDriver;

typedef enum
{
  CTR_STDOUT,
  CTR_STDERR,
} CtrStream;

typedef struct
{
  CtrLogDriver driver;
  int fd;                     /* the k8s-file, or the journal's datagram socket */
  const char *journal_socket; /* NULL: the system's (sdwire.h) */
  struct
  {
    char buf[CTR_LOG_LINE_MAX];
    size_t len;
  } line[2]; /* per CtrStream: the line being assembled */
  long long size_max; /* k8s-file: truncated when a record would pass it (conmon's
                       * --log-size-max); 0: no limit. Set after ctr_log_open. */
  long long size;     /* k8s-file: its size now */
  /* journald's fields that do not change, "KEY=value" */
  char f_id[32], f_id_full[96], f_name[300], f_tag[300], f_ident[300];
} CtrLog;

/* @log: a k8s-file path (appended to, created 0600), "journald", or NULL
 * for none. @id: the full container id; @name, @tag may be NULL. Returns
 * 0 or -errno (the file cannot be opened; EINVAL: an id under 12 chars). */
int ctr_log_open (CtrLog *l, const char *log, const char *id, const char *name, const char *tag);
void ctr_log_close (CtrLog *l);

/* Takes @len bytes the container wrote on @stream; whole lines go out.
 * Returns 0 or the first -errno of a write. */
int ctr_log_write (CtrLog *l, CtrStream stream, const char *buf, size_t len);
/* Writes out what is held (at the container's exit): a last line without
 * its newline becomes a partial record. */
int ctr_log_flush (CtrLog *l);

/* Reads what @fd has and logs it; returns 1 while it is open, 0 at EOF
 * (what was held is flushed then). */
int ctr_log_pump (CtrLog *l, CtrStream stream, int fd);

/* The k8s-file's time stamp, local time as podman writes it:
 * "2024-01-01T00:00:00.000000000+00:00". */
void ctr_log_timestamp (char *out, size_t n, long long sec, long nsec);
