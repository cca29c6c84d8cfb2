"""A model property that a queryset annotation of the same name can supply.

A business figure has two forms: a query expression (to filter and order in SQL) and a Python
property (for one object in hand). When a queryset annotates the expression under the
property's name, Django sets the value on each instance with `setattr`; this descriptor keeps
that value and returns it, and computes the property only when no annotation was loaded.
"""

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class annotated_property(Generic[T]):
    def __init__(self, compute: Callable[[Any], T]):
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> "annotated_property[T]": ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        if self.name in instance.__dict__:
            return instance.__dict__[self.name]
        return self.compute(instance)

    def __set__(self, instance: object, value: T) -> None:
        instance.__dict__[self.name] = value

    def is_loaded(self, instance: object) -> bool:
        """Whether the instance carries the annotation (rather than computing the value)."""
        return self.name in instance.__dict__
