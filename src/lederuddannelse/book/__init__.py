"""The build: notebooks, papermill runs with warm kernels, Sphinx extension, citation."""
