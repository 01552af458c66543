"""Where the service's state lives: one database (SQLite in the instance folder by default,
PostgreSQL for several replicas) for accounts, sessions, tokens, template versions with their
active pointers, and the audit trail. SQLAlchemy 2 (Core) tables, Alembic migrations shipped in
the package, and the import of an instance folder from before the database. No Flask: the core,
the ``lnp`` command and the web parts all use it."""
