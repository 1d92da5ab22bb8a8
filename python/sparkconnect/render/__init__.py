"""The render layer: what users read. Cards, tables and log views, each as plain text for a
terminal and as HTML (JupyterLab's CSS variables) for a notebook."""
