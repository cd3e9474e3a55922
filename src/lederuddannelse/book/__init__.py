"""The build: a thin stage in front of papermill, jupyter-cache and Jupyter Book; the Sphinx
extension, the disclosure audit, citation."""
