"""Widgets generated from DimerParams: units, bounds and tooltips come from the parameters."""
import panel as pn
import param
from panel.links import Callback

from dimer_core import QUANTITIES, DimerParams
from dimer_core.params import VECTORS, UnitVector, bounds_text

from .labels import label, symbol, unit
from .state import LIVE

GROUPS = {
    "Device": ["t", "t0", "tL", "tR"],
    "Bias": ["mu_F", "V"],
    "Bath and spins": ["T", "Delta", "S"],
    "Sites and leads": ["eps1", "eps2", "te"],
    "Directions": ["that", "m1"],
    "Bare energy of a spin": ["h", "K_easy", "e_easy", "K_hard", "n_hard"],
}


class _PromptFloatSlider(pn.widgets.FloatSlider):
    """A slider whose moves reach the server at once: Panel otherwise waits 50 ms (``_debounce``) to gather
    changes, a sixth of the 300 ms a μ_F or V step may take to redraw.  Changes that arrive while one is being
    processed are still gathered into one."""

    _priority_changes = ["value"]


class _NumberSlider(pn.widgets.EditableFloatSlider):
    """Panel's editable slider with two fixes for a number box whose values the server may refuse.

    * Panel 1.9.4 builds the box (a FloatInput) with ``value_throttled = 0`` and then sets only its
      ``value``; the page sends a typed number as ``value_throttled``, and one equal to what the server last
      held there (0 on a fresh page: t = 0, t0 = 0 and te = 0 were dropped without a word) is no change, so
      nothing happens.  :meth:`settle` makes every ``value_throttled`` of the widget (its own, the box's,
      the slider's) the shown value, silently, whenever the server sets or accepts one.
    * The box carries a BokehJS callback that widens the slider's range to any typed number: a refused
      t = 1000 left the slider spanning 0–1000 for good.  The range is the parameter's bounds; the callback
      is unregistered (``Callback.unwatch``) before the page is drawn.
    """

    def __init__(self, **params):
        super().__init__(**params)
        for callback in list(Callback.registry.get(self._value_edit, [])):
            callback.unwatch()
        self.settle()

    def settle(self):
        """Make the shown value the last one the page sent, so that any other typed number is a change."""
        for widget in (self, self._value_edit, self._slider):
            with param.parameterized.discard_events(widget), param.edit_constant(widget):
                widget.value_throttled = self.value


class _LiveSlider(_NumberSlider):
    _slider_widget = _PromptFloatSlider


def number_widget(dash, name):
    """An editable slider bound to ``dash.p.<name>``; refused values leave a message."""
    p = DimerParams.param[name]
    lo, hi = p.bounds
    slider = _LiveSlider if name in LIVE else _NumberSlider
    widget = slider(label=label(name), start=lo, end=hi, step=(hi - lo) / 1000.0,
                    value=getattr(dash.p, name), sizing_mode="stretch_width", css_classes=[f"param-{name}"],
                    format="0.[000000]")  # a step shows 0.2, not 0.20000000000000284

    def push(event):
        if event.new is not None and not _same(getattr(dash.p, name), event.new):
            with pn.io.hold():  # every plot, widget and URL change of this step in one message to the page
                dash.set_value(name, event.new)
                if not _same(getattr(dash.p, name), event.new):  # refused: show the valid value again
                    widget.value = getattr(dash.p, name)
        widget.settle()

    def pull(event):
        # Only a real change goes back to the page: echoing the state's rounding of a slider
        # step would reset a slider that is still moving and swallow key presses.
        if not _same(widget.value, event.new):
            widget.value = event.new
            widget.settle()

    widget.param.watch(push, "value" if name in LIVE else "value_throttled")
    dash.p.param.watch(pull, name)
    tip = pn.widgets.TooltipIcon(value=f"{p.doc}; {bounds_text(name)}", width=20)
    return pn.Row(widget, tip, sizing_mode="stretch_width")


def _same(a, b):
    """Equal up to the state's rounding of slider steps (10 decimals)."""
    return a is not None and b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))


def vector_widget(dash, name):
    """A text input "x,y,z" bound to a vector parameter; after a refused text it shows the state's vector again."""
    p = DimerParams.param[name]
    widget = pn.widgets.TextInput(label=label(name), value=vector_text(getattr(dash.p, name)),
                                  description=f"{p.doc}; {bounds_text(name)}; three numbers, e.g. 1,0,0",
                                  sizing_mode="stretch_width", css_classes=[f"param-{name}"])

    def push(event):
        shown = vector_text(getattr(dash.p, name))
        if event.new == shown:  # (also the echo of the reset below)
            return
        with pn.io.hold():
            value = parse_vector(event.new)
            if value is None:
                dash.message = f"{symbol(name)} ({name}): {event.new!r} is not three numbers; {vector_hint(name)}"
            else:
                dash.set_value(name, value)
            widget.value = vector_text(getattr(dash.p, name))  # what applies: the state's (normalised) vector

    widget.param.watch(push, "value")
    dash.p.param.watch(lambda e: setattr(widget, "value", vector_text(e.new)), name)
    return widget


def parse_vector(text):
    """Three numbers from "x,y,z" (brackets allowed), or None."""
    try:
        value = tuple(float(x) for x in text.strip().strip("()[]").split(","))
    except ValueError:
        return None
    return value if len(value) == 3 else None


def vector_hint(name):
    """What to type for a vector parameter, with its default as the example."""
    p = DimerParams.param[name]
    example = vector_text(p.default)
    if isinstance(p, UnitVector):
        return f"give a nonzero 3-vector such as {example}"
    lo, hi = p.vbounds
    return f"give three numbers between {lo:g} and {hi:g} {unit(name)} such as {example}"


def vector_text(v):
    return ",".join(f"{x:.4g}" for x in v)


def map_choice(dash):
    """The chooser of the maps shown, listing each quantity by its symbol (``dash.quantities`` keeps the keys)."""
    choose = pn.widgets.MultiChoice(name="Maps", options={symbol(k): k for k in QUANTITIES},
                                    value=list(dash.quantities), sizing_mode="stretch_width")
    choose.param.watch(lambda e: setattr(dash, "quantities", list(e.new)), "value")
    dash.param.watch(lambda e: setattr(choose, "value", list(e.new)) if list(e.new) != choose.value else None,
                     "quantities")
    return choose


def checkbox(owner, name, text):
    """A checkbox for the Boolean parameter ``owner.<name>`` whose label text toggles it too.

    Bokeh 3.9's Checkbox draws its label beside the box, not in a ``<label>`` element, so a click on the
    words did nothing (holoviz/panel#7106); a CheckboxGroup of one option wraps box and words in one.
    """
    group = pn.widgets.CheckBoxGroup(options=[text], value=[text] if getattr(owner, name) else [],
                                     css_classes=[f"check-{name}"])
    group.param.watch(lambda e: setattr(owner, name, bool(e.new)), "value")
    owner.param.watch(lambda e: setattr(group, "value", [text] if e.new else []), name)
    return group


OPEN = ("Device", "Bias")
"""The groups shown open; the others are built when first opened (a new page costs a third less)."""


def parameter_cards(dash):
    """One collapsible card per group of parameters."""
    return [_card(dash, title, names) for title, names in GROUPS.items()]


def _card(dash, title, names):
    def items():
        out = [vector_widget(dash, n) if n in VECTORS else number_widget(dash, n) for n in names]
        if title == "Device":
            out.insert(4, checkbox(dash, "symmetric", "symmetric leads (tR = tL)"))
        return out

    if title in OPEN:
        return pn.Card(*items(), title=title, sizing_mode="stretch_width")
    card = pn.Card(title=title, collapsed=True, sizing_mode="stretch_width", css_classes=[f"card-{title.split()[0]}"])

    def fill(event):
        if not event.new and not card.objects:
            card.objects = items()
    card.param.watch(fill, "collapsed")
    return card
