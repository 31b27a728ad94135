"""Form I-918 / I-914 Supplement B rendering, letters and packets (no casework imports)."""
