#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a command on a pseudo-terminal (stdin, stdout and stderr), for the
short-name prompt: when the output shows EXPECT, types ANSWER and Enter.
Prints what the terminal showed (CR LF as LF) and exits with the command's
status. Bounded: the command is killed after 120 s.
Usage: tty-run.py EXPECT ANSWER COMMAND [ARG...]"""
import os
import pty
import select
import signal
import sys
import time

expect, answer, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, sent, deadline = b"", False, time.time() + 120
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 1)
    if not r:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not sent and expect in out:
        os.write(fd, answer + b"\n")
        sent = True
else:
    os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.replace(b"\r\n", b"\n").decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
