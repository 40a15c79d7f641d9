"""Analysis layer: invariants of a system from its equations, and estimators from data.

From the equations (JAX tangent dynamics): :func:`lyapunov_spectrum`,
:func:`lyapunov_spectrum_with_error`, :func:`max_lyapunov`, and from a spectrum
:func:`kaplan_yorke_dimension`, :func:`pesin_entropy`.

From data (NumPy arrays ``(n,)`` or ``(n, d)``): :func:`lyapunov_from_series`,
:func:`correlation_dimension`, :func:`sample_entropy`, :func:`multiscale_entropy`,
:func:`permutation_entropy`, :func:`dominant_period`, :func:`delay_embedding`,
:func:`zero_one_test`.
"""

from chaoszoo.analysis.embedding import delay_embedding, embedding_delay, embedding_dimension
from chaoszoo.analysis.lyapunov import (
    LyapunovResult,
    kaplan_yorke_dimension,
    lyapunov_spectrum,
    lyapunov_spectrum_with_error,
    max_lyapunov,
    pesin_entropy,
    sample_attractor,
)
from chaoszoo.analysis.series import (
    Estimate,
    PeriodEstimate,
    correlation_dimension,
    dominant_period,
    lyapunov_from_series,
    multiscale_entropy,
    permutation_entropy,
    sample_entropy,
    zero_one_test,
)

__all__ = [
    "Estimate", "LyapunovResult", "PeriodEstimate", "correlation_dimension", "delay_embedding",
    "dominant_period", "embedding_delay", "embedding_dimension", "kaplan_yorke_dimension",
    "lyapunov_from_series", "lyapunov_spectrum", "lyapunov_spectrum_with_error", "max_lyapunov",
    "multiscale_entropy", "permutation_entropy", "pesin_entropy", "sample_attractor",
    "sample_entropy", "zero_one_test",
]
