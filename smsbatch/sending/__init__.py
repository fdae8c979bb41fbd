"""The sending layer: one campaign run (loop, throttle, retries, journal)."""
