"""Experiments that use the generative nature of the catalog (Gilpin 2021, sec. 6):
surrogate transfer learning for classification (:mod:`.transfer`) and importance sampling
for training forecasters (:mod:`.importance`)."""
