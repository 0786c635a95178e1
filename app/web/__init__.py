"""HTML routes, one module per area, and the templating helpers."""
