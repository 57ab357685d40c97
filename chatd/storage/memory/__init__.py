"""In-process adapters for ephemeral concerns (one process; Redis replaces them for several)."""
