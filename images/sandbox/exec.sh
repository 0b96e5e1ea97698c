#!/bin/sh
# Runs one student command line: own session (so the worker can kill the whole tree on timeout),
# first in line for the OOM killer (the inner dockerd must survive a memory hog), cwd = workdir.
echo 500 >/proc/self/oom_score_adj 2>/dev/null || true
cd "${DOCKGRADER_CWD:-/work}" || exit 126
exec setsid -w sh -c "$1"
