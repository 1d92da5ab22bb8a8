"""The session layer: this process's Spark Connect session (pyspark), bound to the server the
server layer reports, and kept usable when that server dies or closes the session."""

import os

# gRPC's fork handlers, on by default, race its poller threads: a process forking while its
# Connect session is busy (a notebook's `!python job.py`, made with a pty fork, right after a
# query) can see the child die before it runs, or print "epoll_wait error: Bad file descriptor"
# into the child's output (grpc/grpc#43055; measured: 5 and 6 of 40-60 such forks here). They
# exist for a fork that is not followed by exec, which a session process never needs; gRPC's
# fork support notes say to turn them off when every fork is followed by exec. Set before
# pyspark imports grpc, unless the user chose otherwise.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
