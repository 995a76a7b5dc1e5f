"""Reading exports and writing datasets: the only package that opens files."""
