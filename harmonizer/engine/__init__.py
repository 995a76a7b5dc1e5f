"""The engine: a compiled plan, a columnar fast path and the exact row path."""
