"""What the reporting tests compare the passes (``reporting.passes``) with."""


def by_own_queries(indicator, scope, days) -> tuple:
    """An indicator's figures asked one by one, each its own query over the records: the
    total, the value per place, the value at each day."""
    return (indicator.total(scope), indicator.by_place(scope), indicator.cumulative(scope, days))
