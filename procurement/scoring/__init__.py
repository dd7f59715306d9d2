"""Pure-Python scoring: answers in, an explainable risk result out.

No Django imports anywhere in this package (a test enforces it).
"""
