"""Concentration: top shares, the Lorenz curve, Gini and other inequality measures, with intervals.

:func:`concentration` (also ``utfall.concentration``) returns a
:class:`Concentration`; :func:`lorenz_curve` gives the curve alone.
"""

from ._concentration import Concentration, concentration, lorenz_curve

__all__ = ["Concentration", "concentration", "lorenz_curve"]
