"""Provider mapping files: their model, loading, and compiling against an export."""
