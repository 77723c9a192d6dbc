"""How the stages run: engines (pandas, Dask), the per-document cache, progress, memory."""
