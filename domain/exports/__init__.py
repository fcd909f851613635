"""Files people download: CSV written so that a spreadsheet opens it as data, never as formulas."""
