"""What the published site carries and how it is checked: the Sphinx extension (offline charts,
citation, re-running a chapter), citation metadata, the disclosure audit and the archive.
Beside the build (:mod:`lederuddannelse.book`), which hands the site to Jupyter Book."""
