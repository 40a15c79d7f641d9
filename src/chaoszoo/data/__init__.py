"""Datasets of trajectories: the standard benchmark collection, presets, storage and loaders.

>>> import chaoszoo.data as czd
>>> result = czd.build("quick", "/tmp/cz-quick")          # doctest: +SKIP
>>> d = czd.load("/tmp/cz-quick", system="Lorenz", split="train", granularity="fine")  # doctest: +SKIP
>>> d.array().shape                                        # doctest: +SKIP
(4, 180, 3)

See :mod:`chaoszoo.data.presets` for the settings, :mod:`chaoszoo.data.storage` for the
on-disk layout, :mod:`chaoszoo.data.build` for resumable parallel builds and
:mod:`chaoszoo.data.load` for the loaders.
"""

from chaoszoo.data.build import BuildResult, build
from chaoszoo.data.load import Trajectories, cache_dir, info, load, preset_path, systems_in
from chaoszoo.data.presets import PRESETS, Preset, get_preset
from chaoszoo.data.storage import VerifyReport, verify


def __getattr__(name):
    if name == "WindowDataset":
        from chaoszoo.data.windows import WindowDataset

        return WindowDataset
    raise AttributeError(f"module 'chaoszoo.data' has no attribute {name!r}")


__all__ = ["BuildResult", "PRESETS", "Preset", "Trajectories", "VerifyReport", "WindowDataset", "build",
           "cache_dir", "get_preset", "info", "load", "preset_path", "systems_in", "verify"]
