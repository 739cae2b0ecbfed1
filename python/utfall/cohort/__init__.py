"""The register as a cohort: individuals, care episodes, tariffs, costs and prices.

See :class:`Cohort` for the tables, the conventions (``[start, end)`` episodes,
inclusive end of data, follow-up ``[index, index + horizon)``) and the queries.
"""

from ._cohort import HISTORICAL, PARTICIPANT, Cohort, horizon_text

__all__ = ["Cohort", "HISTORICAL", "PARTICIPANT", "horizon_text"]
