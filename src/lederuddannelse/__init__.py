"""Lederuddannelse i psykisk arbejdsmiljø: the shared package behind the book.

Every chapter imports from here; notebooks only load, call, show and explain.
"""

__version__ = "0.1.0"
