"""import_article, load_demo, check_url."""
