#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a shell command as a child subreaper that never reaps: orphans of
the command (a killed supervisor, its container) stay zombies for as long
as the command runs, as under a careless init.

  subreaper.py 'SHELL COMMAND'"""
import ctypes
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
sys.exit(subprocess.run(["/bin/bash", "-c", sys.argv[1]]).returncode)
