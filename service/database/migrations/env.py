"""Alembic's environment: always run by ``Database.upgrade`` on a connection it already holds in
a write transaction (so concurrent upgrades take turns), never from an alembic.ini."""

from alembic import context

from service.database.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations with `lnp db upgrade`")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
