"""Widgets generated from DimerParams: units, bounds and tooltips come from the parameters."""
import panel as pn

from dimer_core import DimerParams
from dimer_core.params import VECTORS, bounds_text

from .state import LIVE

GROUPS = {
    "Device": ["t", "t0", "tL", "tR"],
    "Bias": ["mu_F", "V"],
    "Bath and spins": ["T", "Delta", "S"],
    "Sites and leads": ["eps1", "eps2", "te"],
    "Directions": ["that", "m1"],
    "Bare energy of a spin": ["h", "K_easy", "e_easy", "K_hard", "n_hard"],
}


def unit(name):
    """The unit written in a parameter's doc, e.g. ``meV``."""
    return DimerParams.param[name].doc.rsplit("[", 1)[-1].rstrip("]")


class _PromptFloatSlider(pn.widgets.FloatSlider):
    """A slider whose moves reach the server at once: Panel otherwise waits 50 ms (``_debounce``) to gather
    changes, a sixth of the 300 ms a μ_F or V step may take to redraw.  Changes that arrive while one is being
    processed are still gathered into one."""

    _priority_changes = ["value"]


class _LiveSlider(pn.widgets.EditableFloatSlider):
    _slider_widget = _PromptFloatSlider


def number_widget(dash, name):
    """An editable slider bound to ``dash.p.<name>``; refused values leave a message."""
    p = DimerParams.param[name]
    lo, hi = p.bounds
    slider = _LiveSlider if name in LIVE else pn.widgets.EditableFloatSlider
    widget = slider(label=f"{name} ({unit(name)})", start=lo, end=hi, step=(hi - lo) / 1000.0,
                    value=getattr(dash.p, name), sizing_mode="stretch_width", css_classes=[f"param-{name}"],
                    format="0.[000000]")  # a step shows 0.2, not 0.20000000000000284

    def push(event):
        if event.new is not None and not _same(getattr(dash.p, name), event.new):
            with pn.io.hold():  # every plot, widget and URL change of this step in one message to the page
                dash.set_value(name, event.new)
                if not _same(getattr(dash.p, name), event.new):  # refused: show the valid value again
                    widget.value = getattr(dash.p, name)

    def pull(event):
        # Only a real change goes back to the page: echoing the state's rounding of a slider
        # step would reset a slider that is still moving and swallow key presses.
        if not _same(widget.value, event.new):
            widget.value = event.new

    widget.param.watch(push, "value" if name in LIVE else "value_throttled")
    dash.p.param.watch(pull, name)
    tip = pn.widgets.TooltipIcon(value=f"{p.doc}; {bounds_text(name)}", width=20)
    return pn.Row(widget, tip, sizing_mode="stretch_width")


def _same(a, b):
    """Equal up to the state's rounding of slider steps (10 decimals)."""
    return a is not None and b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))


def vector_widget(dash, name):
    """A text input "x,y,z" bound to a vector parameter."""
    p = DimerParams.param[name]
    widget = pn.widgets.TextInput(label=f"{name} ({unit(name)})", value=vector_text(getattr(dash.p, name)),
                                  description=f"{p.doc}; {bounds_text(name)}; three numbers, e.g. 1,0,0",
                                  sizing_mode="stretch_width", css_classes=[f"param-{name}"])

    def push(event):
        try:
            value = tuple(float(x) for x in event.new.replace("(", "").replace(")", "").split(","))
        except ValueError:
            dash.message = f"{name} = {event.new!r} is not a 3-vector; {bounds_text(name)}"
            return
        with pn.io.hold():
            dash.set_value(name, value)

    widget.param.watch(push, "value")
    dash.p.param.watch(lambda e: setattr(widget, "value", vector_text(e.new)), name)
    return widget


def vector_text(v):
    return ",".join(f"{x:.4g}" for x in v)


OPEN = ("Device", "Bias")
"""The groups shown open; the others are built when first opened (a new page costs a third less)."""


def parameter_cards(dash):
    """One collapsible card per group of parameters."""
    return [_card(dash, title, names) for title, names in GROUPS.items()]


def _card(dash, title, names):
    def items():
        out = [vector_widget(dash, n) if n in VECTORS else number_widget(dash, n) for n in names]
        if title == "Device":
            out.insert(4, pn.widgets.Checkbox.from_param(dash.param.symmetric, name="symmetric leads (tR = tL)"))
        return out

    if title in OPEN:
        return pn.Card(*items(), title=title, sizing_mode="stretch_width")
    card = pn.Card(title=title, collapsed=True, sizing_mode="stretch_width", css_classes=[f"card-{title.split()[0]}"])

    def fill(event):
        if not event.new and not card.objects:
            card.objects = items()
    card.param.watch(fill, "collapsed")
    return card
