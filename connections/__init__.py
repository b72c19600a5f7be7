"""connections package (see DESIGN.md section 8)."""
