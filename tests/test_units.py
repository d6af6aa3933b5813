"""Time is seconds everywhere in the API: no public parameter takes a time in steps.

Walks every public name of neurosim (the package's ``__all__`` and its public
modules', classes with their public methods) and checks each parameter of each
signature: a name that counts steps (``*_step``/``*_steps``, ``*_every``) or is a
time (``t``, ``dt``, ``tau*``, ``t_*``, ``*_duration``, ``*_window``, ...) must not
be annotated or defaulted as an integer. The few parameters that count steps on
purpose are listed with the reason.
"""

import inspect
import re
import types

import neurosim as ns

#: (where, parameter): why it is a count of steps and not a time.
STEP_COUNTS = {
    ("Simulator.run_steps", "n_steps"): "run(t) in steps, as Nengo's run_steps",
    ("delay_task", "delay"): "an RNN sequence's length in sequence steps: no dt",
}

STEPS = re.compile(r"(^|_)(steps?|every)$")
TIME = re.compile(r"^(t|dt|t_.*|.*_t|tau.*|.*_(time|times|duration|delay|window|"
                   r"interval|period|every))$")


def public_callables():
    """(qualified name, callable) for every public function, class and method."""
    seen, found = set(), []

    def visit(obj, name):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, types.ModuleType):
            if obj.__name__.startswith("neurosim"):
                for attr in getattr(obj, "__all__", [a for a in dir(obj)
                                                     if not a.startswith("_")]):
                    visit(getattr(obj, attr), attr)
        elif inspect.isclass(obj):
            if obj.__module__.startswith("neurosim"):
                found.append((name, obj))
                for attr, member in vars(obj).items():
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    if inspect.isfunction(member) and not attr.startswith("_"):
                        found.append((f"{name}.{attr}", member))
        elif inspect.isfunction(obj) and obj.__module__.startswith("neurosim"):
            found.append((name, obj))

    visit(ns, "neurosim")
    return found


def integer_typed(parameter) -> bool:
    annotation = parameter.annotation
    if annotation is not inspect.Parameter.empty:
        text = annotation if isinstance(annotation, str) else getattr(
            annotation, "__name__", str(annotation))
        return re.search(r"\bint\b", text) is not None
    default = parameter.default
    return isinstance(default, int) and not isinstance(default, bool) and default > 0


def test_no_public_time_parameter_is_in_steps():
    checked, in_steps = 0, []
    for name, obj in public_callables():
        try:
            parameters = inspect.signature(obj).parameters.values()
        except (TypeError, ValueError):
            continue
        for parameter in parameters:
            if not (STEPS.search(parameter.name) or TIME.match(parameter.name)):
                continue
            checked += 1
            if integer_typed(parameter) and (name, parameter.name) not in STEP_COUNTS:
                in_steps.append(f"{name}({parameter.name}: {parameter.annotation}"
                                f" = {parameter.default})")
    assert checked > 40  # the walk reached the API
    assert in_steps == []


def test_the_walk_sees_the_probe_and_the_step_counts_it_allows():
    names = {name for name, _ in public_callables()}
    assert {"Network.probe", "Simulator.run", "simulate"} <= names
    assert {where for where, _ in STEP_COUNTS} <= names
    every = inspect.signature(ns.Network.probe).parameters["sample_every"]
    assert TIME.match("sample_every") and not integer_typed(every)
    assert integer_typed(inspect.signature(ns.Simulator.run_steps).parameters["n_steps"])
