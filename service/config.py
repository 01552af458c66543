"""Embedded defaults; every one can be overridden by the environment or create_app(test_config)."""

from __future__ import annotations

from pathlib import Path

# The Swedish and English message catalogues of every text the service shows, the schemas'
# labels and messages included (tools/messages.py writes them, make compiles them).
CATALOGUE_DIR = Path(__file__).resolve().parent / "translations"


class DefaultConfig:
    """Every setting can be given as an environment variable with the prefix LNP_
    (LNP_SESSION_IDLE_SECONDS=600). SECRET_KEY and AUDIT_KEY have no default: see instance.py."""

    # A case JSON is a few kilobytes; the schemas' own length caps keep a valid one far below this.
    # Template uploads raise the limit for their own routes only (upload_safety.MAX_UPLOAD_BYTES).
    MAX_CONTENT_LENGTH = 512 * 1024
    MAX_JSON_BYTES = 512 * 1024
    TEMPLATES_DIR = None  # None = the built-in templates_docx/

    # Where the state lives (service/database). None: SQLite in the instance folder (lnp.sqlite3).
    # postgresql://user:password@host/db for several replicas sharing one state.
    DATABASE_URL = None
    # Bring the schema up to date when the service starts. None: only on SQLite (the file is the
    # instance's own); a shared database is upgraded once with `lnp db upgrade`, not by whichever
    # replica of a rolling update starts first.
    DATABASE_AUTO_UPGRADE = None
    # Also print each audit entry as one JSON line on standard output, for the city's log system.
    AUDIT_STDOUT = False

    # LibreOffice converter for odt and pdf (service/conversion); docx never waits for it.
    # Workers per server process. None: one per core, shared out among gunicorn's worker
    # processes (LNP_WORKERS).
    CONVERTER_POOL_SIZE = None
    # Requests of one process that may wait for or be inside a conversion at once; the next one
    # answers 503 with Retry-After at once instead of taking a thread. None: gunicorn's threads
    # per process (LNP_THREADS, 32) less two, so waits for LibreOffice never hold every thread
    # and a .docx request is always served.
    CONVERTER_ADMISSION = None
    # Our documents convert in well under a second; 15 s means LibreOffice is stuck. It is
    # killed and restarted and the request answers 503, well inside gunicorn's 30 s timeout.
    CONVERTER_TIMEOUT = 15
    # How long an admitted request waits for a free worker (its turn behind other conversions, or
    # one restarting, 2-5 s) before a 503. It waits in a thread of its own (gunicorn's gthread
    # workers), so the wait holds up no other request.
    CONVERTER_WAIT_TIMEOUT = 45
    # A cold start with a fresh profile takes 2-5 s here; a busy CI machine needs far more.
    CONVERTER_START_TIMEOUT = 60
    # LibreOffice grows and keeps caches of what it has loaded: a fresh worker after this
    # many conversions bounds both memory and how long anything of a case stays in a process.
    CONVERTER_MAX_CONVERSIONS = 200
    # Seconds in the 503's Retry-After, and the pause before starting LibreOffice again after
    # a failed start (so a machine without it does not try on every request).
    CONVERTER_RETRY_AFTER = 10
    CONVERTER_SOFFICE = None  # None: soffice on PATH
    CONVERTER_PYTHON = None  # None: the first Python that can `import uno` (Debian: python3-uno)
    # LibreOffice runs in bubblewrap (no network, no files but its own folder and the system's
    # programs): "auto" when bwrap is installed (tools/system-deps.sh installs it), "required"
    # to refuse converting without it, "off".
    CONVERTER_SANDBOX = "auto"

    # The cookie holds a signed random session id only; the session itself is in the account
    # database, so signing out or removing a user ends it on the server.
    SESSION_COOKIE_NAME = "lnp_session"
    SESSION_COOKIE_SECURE = True  # browsers treat http://localhost as secure, so `make run` works
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_IDLE_SECONDS = 15 * 60
    SESSION_MAX_SECONDS = 8 * 60 * 60
    # The pages warn this long before an idle session ends and offer to stay signed in.
    SESSION_WARN_SECONDS = 2 * 60
    PERMANENT_SESSION_LIFETIME = SESSION_MAX_SECONDS

    # Per token or user; a worker makes a few documents an hour, an integration maybe a batch.
    RATELIMIT_DEFAULT = "300 per minute"
    # memory:// counts per gunicorn worker; redis://host:6379 counts across workers and replicas.
    RATELIMIT_STORAGE_URI = "memory://"
    # Redis unreachable: count per process in memory until it is back, rather than refuse everyone.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Per typed account name, and per address: argon2 makes each guess slow, these make them few.
    SIGN_IN_RATE_LIMIT = "5 per minute; 30 per hour"
    SIGN_IN_ADDRESS_RATE_LIMIT = "20 per minute"

    # SSO: off unless PROXY_USER_HEADER is set. Then a request from one of the trusted proxy
    # addresses is signed in as the user (and role) those headers name. See the README.
    PROXY_USER_HEADER = None
    PROXY_ROLE_HEADER = "X-Remote-Role"
    PROXY_TRUSTED_ADDRESSES: list[str] = []
    # Number of proxies whose X-Forwarded-For/-Proto/-Host to trust. Only when the app is
    # reachable through them alone: otherwise a client forges its address (escaping the
    # per-address sign-in limit) and its scheme (HSTS); create_app warns when set on a non-loopback bind.
    PROXY_FIX = 0
