"""Files the bot hands out: the portfolio workbook and the board deck.

A file is never kept: it is made from the data when it is fetched. It is fetched through
a signed, expiring link (``links.py``, served by ``routes.py``), or uploaded to the
person's OneDrive after they accept Teams' file consent card (``bot/files.py``); both
carry the same signed description of the file, so either way it is made under the rights
it was signed for, for the person it was offered to.
"""
