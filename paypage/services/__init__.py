"""Use cases: what the blueprints call. No Flask here; a session and a tenant come in as arguments."""
