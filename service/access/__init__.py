"""Who may act, and the record of what they did: accounts, sessions and API tokens
(``accounts``) and the append-only audit trail (``audit``). No Flask: the web gate
(``service.web.gate``) and the ``lnp`` command both build on it."""
