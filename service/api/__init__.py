"""The JSON API under ``/api/v1``: documents (``documents``), Word-template lifecycle
(``templates``), tokens (``admin``) and the OpenAPI document generated from these views
(``openapi``). Never imports the pages."""
