"""Result files of the experiments, written to a temporary name and renamed (never half-written)."""

from __future__ import annotations

import json
from pathlib import Path
from chaoszoo.io import replacing


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(obj, indent=1, default=float)  # fails before touching disk
    with replacing(path) as tmp:
        tmp.write_text(text)
