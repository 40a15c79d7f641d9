"""User models for the forecasting tests: plain classes that meet the interface without
inheriting from chaoszoo, and models that fail in each way the runner must survive."""

import os
import time

import numpy as np


class MeanOfLast:
    """A user's own model: the mean of the last ``k`` observations."""

    def __init__(self, k=5):
        self.k = k
        self._h = None

    def fit(self, history, info):
        self._h = np.asarray(history)
        return self

    def predict(self, horizon):
        if self._h is None:
            raise RuntimeError("not fitted")
        return np.tile(self._h[-self.k:].mean(axis=0), (horizon, 1))


class Raises(MeanOfLast):
    def fit(self, history, info):
        raise ValueError("this model always fails")


class WrongShape(MeanOfLast):
    def predict(self, horizon):
        return np.zeros((horizon + 1, self._h.shape[1]))


class NonFinite(MeanOfLast):
    def predict(self, horizon):
        y = super().predict(horizon)
        y[horizon // 2:] = np.nan
        return y


class Sleeps(MeanOfLast):
    def fit(self, history, info):
        time.sleep(600)
        return self


class Crashes(MeanOfLast):
    def fit(self, history, info):
        os._exit(3)


class Slow(MeanOfLast):
    """Deterministic but slow (for the kill-and-resume test)."""

    def fit(self, history, info):
        time.sleep(0.5)
        return super().fit(history, info)
