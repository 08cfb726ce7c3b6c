"""Shared code of the media callback receiver: payload models, normalisation, storage."""
