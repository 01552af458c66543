"""The life of a Word template (``templates_docx/<lang>/<type>.docx`` and the conveners'
uploads): versions and the active one per type and language (``store``), the checker that
compares a template with its schema (``checker``), upload safety (``upload_safety``) and the
field guide for template editors (``field_guide``). No Flask."""
