"""Filling a Word template with a case, in memory: the Jinja sandbox (``sandbox``), the
language-aware filters (``formatting``), the compile-once engine (``engine``) and loading and
rendering a template (``docx_template``). No Flask."""
