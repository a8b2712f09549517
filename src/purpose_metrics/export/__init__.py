"""Exports: chart images (images.py); the deck and CSV live beside it."""
