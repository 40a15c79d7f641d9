"""Model fixtures of tests/test_campaign_forecast.py (issue 25): a user's own model written
right, and the interface mistakes a user makes, each of which must be one clear error before
a run starts (not one failed row per job)."""

import numpy as np


class Documented:
    """Repeat the mean of the last three observations.

    The second paragraph of the docstring is not part of the model's one-line description.
    """

    def __init__(self, k=3):
        self.k = k
        self._h = None

    def fit(self, history, info):
        self._h = np.asarray(history, dtype=float)
        return self

    def predict(self, horizon):
        if self._h is None:
            raise RuntimeError("predict() before fit()")
        return np.tile(self._h[-self.k:].mean(axis=0), (horizon, 1))


class NoPredict:
    """Has fit but no predict."""

    def fit(self, history, info):
        return self


class PredictNotCallable:
    """Its predict is a number, not a method."""

    predict = 3

    def fit(self, history, info):
        return self


class NeedsArgument(Documented):
    """Its constructor needs an argument that neither the registry nor the runner passes."""

    def __init__(self, width):
        super().__init__()
        self.width = width


class NoArguments(Documented):
    """Its constructor takes no argument at all."""

    def __init__(self):
        super().__init__()


#: Not a class: a number where a model class is expected.
NOT_A_CLASS = 42


def a_function(history, horizon):
    """A function, not a model class."""
    return np.zeros((horizon, np.asarray(history).shape[1]))
