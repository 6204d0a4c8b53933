"""Three shortcuts in Bokeh's property machinery that cut a new page's server CPU; the output is unchanged.

A new page is serialized once (its whole document, ≈650 models) and each of its models reads
its property defaults many times while it is built.  Profiling a page (``cProfile`` in the
server, ``benchmarks/bench_load.py --open``) found two costs in pinned Bokeh 3.9.2 that do no
work for us:

* ``HasProps.query_properties_with_values(include_defaults=False)``, which serializes every
  model, computes the value of *every* property (≈27 per model, defaults included, each through
  the theme and the class hierarchy) and only then drops those never set (its own TODO says the
  check should come first).  :func:`_query_properties_with_values` checks first.  Serializing a
  page took 0.18 s of CPU and now 0.03 s; the JSON is the same (``tests/test_dashboard_live.py``).
* ``HasProps._overridden_defaults()`` merges the ``__overridden_defaults__`` of the whole class
  hierarchy at every read of an unset property (≈25 000 reads a page).  Those dictionaries are fixed
  when a class is created, so the merge is kept per class: ≈0.04 s a page.
* ``bokeh.model.util.visit_immediate_value_references``, which every walk of a model graph (a
  document's index, Panel's adding of each root, ``Model.select``: ≈44 walks of ≈540 models a page,
  ≈0.09 s) calls on each model: it reads every property that may hold a model, unset ones through
  their defaults.  A default that is the same for every instance (not computed per instance) and
  holds no model cannot lead to one, so an unset, unthemed property with such a default is skipped
  (:func:`_walk_plan` decides once per class).  The models found are the same, in the same order
  (``tests/test_dashboard_live.py``).

:func:`install` applies them, only to the Bokeh version they were written and tested for.
"""
import bokeh.model.util as model_util
from bokeh import __version__ as BOKEH_VERSION
from bokeh.core.has_props import HasProps
from bokeh.core.property.descriptors import UnsetValueError
from bokeh.core.property.singletons import Undefined
from bokeh.core.property.wrappers import PropertyValueContainer

__all__ = ["install", "installed", "TESTED_WITH"]

TESTED_WITH = "3.9.2"
_ORIGINAL = {"query": HasProps.query_properties_with_values, "defaults": HasProps.__dict__["_overridden_defaults"],
             "walk": model_util.visit_immediate_value_references}
_DEFAULTS = {}
_WALK_PLANS = {}


def _overridden_defaults(cls):
    """``HasProps._overridden_defaults``, merged once per class."""
    try:
        return _DEFAULTS[cls]
    except KeyError:
        merged = {}
        for c in reversed(cls.__mro__):
            merged.update(getattr(c, "__overridden_defaults__", {}))
        _DEFAULTS[cls] = merged
        return merged


def _query_properties_with_values(self, query, *, include_defaults=True, include_undefined=False):
    """``HasProps.query_properties_with_values`` that reads only the properties it returns when
    ``include_defaults`` is False (the same result; Bokeh 3.9.2's body otherwise)."""
    if include_defaults:
        return _ORIGINAL["query"](self, query, include_defaults=True, include_undefined=include_undefined)
    selected = set(self._property_values) | set(self._unstable_default_values)
    themed = self.themed_values()
    themed_keys = set(themed) if themed is not None else set()
    selected |= themed_keys
    result = {}
    for key in self.properties(_with_props=True):
        if key not in selected:
            continue
        descriptor = self.lookup(key)
        if not query(descriptor):
            continue
        try:
            value = descriptor.get_value(self)
        except UnsetValueError:
            if not include_undefined:
                raise
            value = Undefined
        else:
            if key not in themed_keys and isinstance(value, PropertyValueContainer) \
                    and key in self._unstable_default_values:
                continue  # an unmodified default container
        result[key] = value
    return result


def _walk_plan(cls):
    """(names, skippable) of ``cls``: its properties that may hold models, and those among them whose default is
    the same for every instance and holds no model (nothing to find while they are unset and unthemed)."""
    try:
        return _WALK_PLANS[cls]
    except KeyError:
        names = tuple(cls.properties_with_refs())
        overrides = _overridden_defaults(cls)
        skippable = set()
        for name in names:
            descriptor = cls.lookup(name)
            override = overrides.get(name, descriptor.property._default)
            if descriptor.property._may_have_unstable_default() or descriptor.is_unstable(override):
                continue
            found = []
            model_util.visit_value_and_its_immediate_references(override, found.append)
            if not found:
                skippable.add(name)
        _WALK_PLANS[cls] = names, frozenset(skippable)
        return _WALK_PLANS[cls]


def _visit_immediate_value_references(value, visitor):
    """``bokeh.model.util.visit_immediate_value_references`` without reading the properties of :func:`_walk_plan`
    that can hold no model (Bokeh 3.9.2's body otherwise)."""
    if not isinstance(value, HasProps):
        model_util.visit_value_and_its_immediate_references(value, visitor)
        return
    names, skippable = _walk_plan(type(value))
    values = value._property_values
    themed = value.themed_values()
    for name in names:
        if name in skippable and name not in values and (themed is None or name not in themed):
            continue
        model_util.visit_value_and_its_immediate_references(getattr(value, name), visitor)


def install():
    """Apply the shortcuts (once; nothing on a Bokeh other than :data:`TESTED_WITH`). Returns whether they apply."""
    if BOKEH_VERSION != TESTED_WITH:
        return False
    HasProps.query_properties_with_values = _query_properties_with_values
    HasProps._overridden_defaults = classmethod(_overridden_defaults)
    model_util.visit_immediate_value_references = _visit_immediate_value_references
    return True


def installed():
    return HasProps.query_properties_with_values is _query_properties_with_values


def uninstall():
    """Bokeh's own methods again (for tests that compare)."""
    HasProps.query_properties_with_values = _ORIGINAL["query"]
    HasProps._overridden_defaults = _ORIGINAL["defaults"]
    model_util.visit_immediate_value_references = _ORIGINAL["walk"]
