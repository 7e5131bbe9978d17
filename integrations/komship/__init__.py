"""Komship (Komerce): partner back-office API — Orderku orders, products and stock. See endpoints.py."""
