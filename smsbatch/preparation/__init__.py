"""The preparation layer: from a DataFrame and a template to checked messages, without I/O
beyond reading a named opt-out file."""
