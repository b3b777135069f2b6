"""bureaucli: scanned minutes of Soviet party bureaus → structured, citable tables of personal cases."""

__version__ = "0.1.0"
