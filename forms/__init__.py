"""Task forms: one JSON Schema per form key under ``forms/schemas``. A leaf: imports nothing of ours."""
