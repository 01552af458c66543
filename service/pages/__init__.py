"""The pages people use in a browser: the document forms (``forms`` with ``formdata``,
``formerrors`` and ``carryover``), the Word-template pages (``template_pages``), sign-in and
account (``account``); their Jinja page templates in ``templates/`` and styles and script in
``static/``. Never imports the API."""
