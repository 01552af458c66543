"""gunicorn settings for ``lnp serve`` (and ``make run``)."""

import os

bind = os.environ.get("LNP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LNP_WORKERS", "2"))
# Threads per worker process: a request waiting for LibreOffice holds one (idle) thread, never the
# whole process, and the converter admits at most THREADS − 2 such requests per process
# (CONVERTER_ADMISSION), so a .docx always finds a free thread.
worker_class = "gthread"
threads = int(os.environ.get("LNP_THREADS", "32"))
timeout = 30
graceful_timeout = 10
# Load the app once in the master: templates are checked before any worker starts.
preload_app = True
# gunicorn would believe X-Forwarded-Proto from 127.0.0.1; the app's PROXY_FIX setting is the one
# place that decides which proxy headers to trust (HSTS, secure cookies and rate-limit addresses
# depend on them).
forwarded_allow_ips = ""
# The access log would print query strings; the service's own log line carries what is needed.
accesslog = None
errorlog = "-"
loglevel = "info"
# A worker killed for hanging dumps its stack (no locals) to the error log.
def worker_abort(worker):  # noqa: D103
    import faulthandler
    import sys

    faulthandler.dump_traceback(file=sys.stderr)


# LibreOffice (odt/pdf) is started in each worker after the fork, never in the master: with
# preload_app a LibreOffice started in the master would be shared by every worker. The start
# runs in the background; docx requests are served meanwhile.
def pre_fork(server, worker):  # noqa: D103
    # Everything loaded so far (the app, its prepared templates and schemas) lives as long as
    # the process: moved out of the garbage collector's reach, collections in the workers stay
    # short (tail latency) and the pages stay shared with the master (copy-on-write).
    import gc

    gc.freeze()


def post_worker_init(worker):  # noqa: D103
    # create_app closed the master's database connections before the fork; should any be open
    # now, the worker forgets them without closing them (they are the master's) and opens its own.
    database = worker.wsgi.extensions.get("lnp.database")
    if database is not None:
        database.after_fork()
    converter = worker.wsgi.extensions.get("lnp.converter")
    if converter is not None:
        converter.start()


def worker_exit(server, worker):  # noqa: D103
    import os

    # Also called in the master for a worker that vanished; only the worker owns its pool.
    converter = getattr(worker, "wsgi", None) and worker.wsgi.extensions.get("lnp.converter")
    if converter is not None and os.getpid() == worker.pid:
        converter.shutdown()
