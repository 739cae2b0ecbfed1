"""Generalised linear models fitted in the core by IRLS, as R's ``glm``.

:func:`fit_glm` fits ``binomial`` (logit), ``gamma`` (log link), ``tweedie``
(log link, ``1 < var_power < 2``, as ``statmod::tweedie(var.power, link.power = 0)``)
and ``gaussian`` (weighted least squares) models; :func:`design_matrix` turns
covariates into the columns of a design the way R's ``model.matrix`` does
with treatment contrasts. They are the building blocks of the model-based
expected costs and the bias-corrected matching estimator.
"""

from ._design import design_matrix
from ._fit import GlmFit, fit_glm

__all__ = ["GlmFit", "design_matrix", "fit_glm"]
