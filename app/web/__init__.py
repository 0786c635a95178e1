"""HTML routes, one module per area, and the templating helpers. routes.py gathers them under
one router that declares the CSRF check once."""
