"""LibreOffice as a converter (.docx to .odt/.pdf and back): a pool of warm workers
(``pool``), the bridge process each worker runs under Debian's Python with ``uno``
(``uno_bridge``) and the clean-up of what a dead worker leaves behind (``leftovers``). No Flask."""
