"""A journey's inventory: lines recorded at pickup with their condition, checked at delivery."""
