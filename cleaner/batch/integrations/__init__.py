"""Running the cleaner inside other data-processing systems.

Each module here needs an optional dependency and is imported on its own:

- ``cleaner.batch.integrations.dask``: ``DaskExecutor``, which runs a batch on a Dask
  cluster, and ``clean_bag`` for Dask bags (from ``dask_bag``; ``pip install
  'cleaner[dask]'``).
- ``cleaner.batch.integrations.datatrove``: ``CleanerStep``, a datatrove pipeline step
  (``pip install 'cleaner[datatrove]'``).

This package itself imports neither, so ``import cleaner`` never needs them.
"""
