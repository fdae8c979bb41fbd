"""The gateway layer: one HTTP request to the Connect Call API, and a simulator of it."""
