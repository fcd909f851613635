"""NiceGUI pages, one module per role area. `register_pages()` is called by app.py on every run."""
