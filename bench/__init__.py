"""`make bench`: Tunewise side by side with a bare Starlette app, on loopback only (see bench/README.md)."""
