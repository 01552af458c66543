"""What the API and the pages share on the web: the authentication gate and roles (``gate``),
security headers, rate limits and CSRF (``headers``), the one JSON error shape (``errors``),
download responses (``responses``) and the message language of a request (``i18n``)."""
