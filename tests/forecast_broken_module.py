"""This module fails at import on purpose."""
raise ImportError("broken on purpose")
