"""Events: threshold crossings of ``g(t, y)`` located on the dense output, with resets.

An event is a callable ``g(t, y, *args) -> float`` with optional attributes, as in
scipy: ``direction`` (+1 upward crossings only, -1 downward, 0 both), ``terminal``
(True or a count: stop integration at that occurrence) and, beyond scipy, ``reset``:
a function ``y -> y_new`` applied at the located time, after which integration goes
on from there (a threshold neuron's spike and reset). ``Event`` states the same
explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numba.core.dispatcher import Dispatcher

from ..validation import _show


@dataclass(frozen=True)
class Event:
    """A zero crossing of ``function(t, y, *args)`` to watch for.

    Parameters
    ----------
    function : callable
        ``g(t, y, *args) -> float``.
    direction : {-1, 0, 1}
        Only downward (-1), only upward (+1) or all (0) crossings count.
    terminal : int
        Stop integration at this occurrence (1 = the first); 0 never stops.
    reset : callable or None
        ``reset(y) -> y_new`` applied at the event time; integration continues.
    """

    function: Callable
    direction: int = 0
    terminal: int = 0
    reset: Callable | None = None

    def __post_init__(self):
        if not callable(self.function):
            raise TypeError(f"event function must be callable, got "
                            f"{_show(self.function)}")
        if self.direction not in (-1, 0, 1):
            raise ValueError(f"event direction must be -1, 0 or 1, got "
                             f"{self.direction!r}")
        terminal = self.terminal
        if isinstance(terminal, (bool, np.bool_)):
            terminal = int(terminal)
        if not isinstance(terminal, (int, np.integer)) or terminal < 0:
            raise ValueError(f"event terminal must be a bool or a count >= 0, got "
                             f"{self.terminal!r}")
        object.__setattr__(self, "terminal", int(terminal))
        if self.reset is not None and not callable(self.reset):
            raise TypeError(f"event reset must be callable y -> y_new, got "
                            f"{_show(self.reset)}")

    @property
    def compiled(self) -> bool:
        """True when the function (and reset, if any) are numba-compiled."""
        return is_compiled(self.function) and (self.reset is None
                                               or is_compiled(self.reset))


def is_compiled(fn) -> bool:
    """True for a numba ``@njit`` function (a dispatcher)."""
    return isinstance(fn, Dispatcher)


def as_events(events) -> tuple[Event, ...]:
    """Normalise ``None``, one callable/Event or a sequence of them to Events."""
    if events is None:
        return ()
    if callable(events) or isinstance(events, Event):
        events = [events]
    try:
        items = list(events)
    except TypeError:
        raise TypeError(f"events must be a callable, an Event or a list of them, got "
                        f"{_show(events)}") from None
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Event):
            out.append(item)
        elif callable(item):
            out.append(Event(item, direction=getattr(item, "direction", 0),
                             terminal=getattr(item, "terminal", 0),
                             reset=getattr(item, "reset", None)))
        else:
            raise TypeError(f"events[{i}] must be callable or an Event, got "
                            f"{_show(item)}")
    return tuple(out)


def event_arrays(events: tuple[Event, ...]):
    """Direction, terminal count and reset flag per event, as int64 arrays."""
    return (np.array([e.direction for e in events], dtype=np.int64),
            np.array([e.terminal for e in events], dtype=np.int64),
            np.array([e.reset is not None for e in events], dtype=np.int64))
