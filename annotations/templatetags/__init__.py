"""Template tags: highlighted text (the one server renderer) and review helpers."""
