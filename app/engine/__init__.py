"""The pure decision engine: standard library only, no I/O, no clock, no global randomness."""
