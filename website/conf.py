"""Sphinx configuration of the lessons' website (``make site``; see teach/site.py).

The pages are the student editions with the outputs they were stored with: nothing is executed
and nothing is fetched from the network, at build time or when a page is read.
"""

import os

project = "Mao, Khrushchev and the Moscow Conference of 1957"
author = "the lesson collection's contributors"
copyright = "2026, the lesson collection's contributors; lesson text and compiled data CC-BY-4.0"
language = "en"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", ".editions.json", ".backups"]
master_doc = "index"

# the stored outputs are the lesson as a student first sees it; never run anything here
nb_execution_mode = "off"
nb_output_stderr = "remove"
# an explorer's output holds its still image as HTML: show that (there is no kernel behind a web page)
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["colon_fence", "deflist"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header", "misc.highlighting_failure"]

# no MathJax and no require.js: the lessons use neither, and a page must not load anything from a CDN
# (Sphinx adds MathJax only to a page with equations; tests/test_site.py checks that none has any)
nb_ipywidgets_js = {}

REPO = os.environ.get("SITE_REPO", "https://github.com/ORG/REPO")
BRANCH = os.environ.get("SITE_BRANCH", "main")
HUB = os.environ.get("SITE_HUB", "https://hub.example.edu")

html_theme = "sphinx_book_theme"
html_title = "Moscow 1957: lessons"
html_static_path = ["_static"]
html_css_files = ["lessons.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = True  # the download button offers the student edition (.ipynb)
html_theme_options = {
    "repository_url": REPO,
    "repository_branch": BRANCH,
    # the launch buttons open the class copy (REPO is the class's repository, written by `make release`), whose
    # student editions are notebooks/NN_*.ipynb; this repository's notebooks/student/ is not in it
    "path_to_docs": os.environ.get("SITE_PATH", "notebooks"),
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "jupyterhub_url": HUB,
        "notebook_interface": "jupyterlab",
    },
}
