"""anxin (安薪): wage-payment monitoring and early warning for a provincial HRSS department."""

__version__ = "0.1.0"
