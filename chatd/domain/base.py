"""Common base for entities. msgspec applies kw_only per class, so every
subclass repeats it: fields then read in the order data-model.md lists them."""

import msgspec


class Entity(msgspec.Struct, kw_only=True):
    pass
