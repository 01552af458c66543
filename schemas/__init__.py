"""Marshmallow schemas: one module per document type plus the shared blocks."""
