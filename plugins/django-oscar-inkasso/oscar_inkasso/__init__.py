"""django-oscar-inkasso: overdue Oscar orders handed over to inkasso, claim state back on the order."""

__version__ = "0.1.0"
