"""Demo content for `manage.py load_demo`: the shape is declared in `spec`, the text in `content`."""
