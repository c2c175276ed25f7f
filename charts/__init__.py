"""Charts for cards: PNGs drawn with matplotlib and served by the bot at signed, expiring URLs.

Teams shows images only from HTTPS URLs (PNG, at most 1024×1024), so a card links to
``{PUBLIC_BASE_URL}/charts/{kind}.png?...`` and the bot draws the chart when Teams asks.

- :mod:`charts.kinds`: the chart kinds and the rights each one needs (one table);
- :mod:`charts.render`: pure rendering, plain data and translated labels in, PNG bytes out;
- :mod:`charts.signing`: signed, expiring chart URLs;
- :mod:`charts.spec`: what the data source returns, :class:`~charts.spec.ChartSpec`;
- :mod:`charts.cache`: rendered PNGs by content, rendered once, off the event loop;
- :mod:`charts.routes`: the ``GET /charts/{kind}.png`` handler.

This module imports nothing, so ``charts.signing`` can be used without loading matplotlib.
"""
