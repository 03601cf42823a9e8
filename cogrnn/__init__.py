"""cogrnn."""
