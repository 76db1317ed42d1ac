"""Errors the warehouse raises, with messages fit to show a user as they are."""


class WarehouseError(Exception):
    """The warehouse file is missing, unreadable, locked or not a cijobs warehouse."""
