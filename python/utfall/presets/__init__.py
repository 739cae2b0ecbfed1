"""Named evaluation designs: :func:`norrkoping` is the one the demo, the README and notebook 1 share."""

from ._norrkoping import COVARIATES, Preset, norrkoping

__all__ = ["COVARIATES", "Preset", "norrkoping"]
