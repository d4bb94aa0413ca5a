"""The framework floor: a minimal DRF app over the product's annotation table (bench only)."""
