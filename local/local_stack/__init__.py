"""The local run: moto server, the callback API on HTTP, and the glue Lambda would provide."""
