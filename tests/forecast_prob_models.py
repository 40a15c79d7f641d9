"""Models of the probabilistic-track tests (importable by worker processes)."""

import numpy as np

from chaoszoo.errors import NotFittedError


class _Base:
    def fit(self, history, info):
        self.h = np.asarray(history, dtype=float)
        self.seed = info.seed
        return self

    def predict(self, horizon):
        if not hasattr(self, "h"):
            raise NotFittedError("fit first")
        return np.tile(self.h[-1], (horizon, 1))


class GaussianSamples(_Base):
    """Members: the last value plus Gaussian noise of the history's spread."""

    def predict_samples(self, horizon, n):
        rng = np.random.default_rng(self.seed)
        return self.h[-1] + self.h.std(axis=0) * rng.standard_normal((n, horizon, self.h.shape[1]))


class GaussianQuantiles(_Base):
    """Quantiles of N(last value, history's spread)."""

    def predict_quantiles(self, horizon, levels):
        from scipy.stats import norm

        z = norm.ppf(np.asarray(levels))[:, None, None]
        return self.h[-1] + self.h.std(axis=0) * z * np.ones((len(levels), horizon, self.h.shape[1]))


class NoDistribution(_Base):
    """predict_samples exists but this instance has no distribution."""

    def predict_samples(self, horizon, n):
        raise NotImplementedError("no likelihood here")


class NaNSamples(_Base):
    def predict_samples(self, horizon, n):
        out = np.zeros((n, horizon, self.h.shape[1]))
        out[3, 5, 0] = np.nan
        return out


class WrongShapeSamples(_Base):
    def predict_samples(self, horizon, n):
        return np.zeros((n, horizon + 1, self.h.shape[1]))


class OneMember(_Base):
    def predict_samples(self, horizon, n):
        return self.predict(horizon)[None]


class CrossingQuantiles(_Base):
    def predict_quantiles(self, horizon, levels):
        q = np.repeat(np.arange(len(levels), dtype=float)[:, None, None], horizon, axis=1)
        q = np.repeat(q, self.h.shape[1], axis=2)
        q[4, 7, 0] = -10.0
        return q
