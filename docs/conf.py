"""Sphinx configuration of utfall's API reference (built from the docstrings, numpy style)."""

import utfall

project = "utfall"
author = "utfall developers"
release = utfall.__version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.intersphinx"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options: dict = {}
napoleon_use_ivar = True
# No network at build time: cross-references to numpy/pandas stay plain text.
intersphinx_mapping = {}
nitpicky = False
html_theme = "alabaster"
exclude_patterns = ["_build"]
