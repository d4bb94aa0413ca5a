"""REST API v1 (DRF): serializers validate shape, views call selectors and services."""
