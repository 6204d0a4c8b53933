"""Widgets generated from DimerParams: units, bounds and tooltips come from the parameters."""
import panel as pn
from bokeh.models import Column as BkColumn
from bokeh.models import NumericInput, Slider
from panel.io.state import set_curdoc

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


class NumberBox:
    """A number box above a slider, bound to ``dash.p.<name>``, built from three plain Bokeh models.

    Panel's EditableFloatSlider with a TooltipIcon cost ≈16 Bokeh models and ≈40 ms of server CPU per
    parameter, most of a new page's sidebar; this box is a ``Column`` of a ``NumericInput`` (the label with
    the unit, and the parameter's meaning and range behind its help icon) and a ``Slider`` spanning the
    parameter's bounds (``benchmarks/bench_load.py --open``).  The server sees every change of either model
    directly (no Panel debounce: a μ_F or V step reaches it at once):

    * a typed number is applied when it differs from what the box shows, so a typed 0 is never dropped
      (Panel's box sent it as ``value_throttled``, which a fresh page held at 0 already);
    * a refused number leaves a message (``dash.set_value``) and the box and slider show the value in force
      again; neither model widens its range (Panel's box widened the slider to any typed number);
    * the slider reports its value while it moves for V and μ_F (:data:`~dashboard.state.LIVE`: no energy
      integral), and when it is released for the others.

    ``model`` is the Column (CSS class ``param-<name>``: its first ``input`` is the box, its ``.noUi-handle``
    the slider's handle).
    """

    def __init__(self, dash, name):
        p = DimerParams.param[name]
        lo, hi = p.bounds
        value = getattr(dash.p, name)
        self.dash, self.name = dash, name
        self.box = NumericInput(title=label(name), value=value, mode="float", format="0.[000000]",
                                description=f"{p.doc}; {bounds_text(name)}", sizing_mode="stretch_width")
        self.slider = Slider(start=lo, end=hi, step=(hi - lo) / 1000.0, value=value, title=None, show_value=False,
                             format="0.[000000]", sizing_mode="stretch_width", margin=(0, 10, 5, 10))
        self.model = BkColumn(children=[self.box, self.slider], css_classes=[f"param-{name}"],
                              sizing_mode="stretch_width")
        doc = pn.state.curdoc  # the session's: Panel's updates made from these callbacks go to its page

        def on(attr):
            def callback(_, old, new):
                if doc is None:
                    self.push(new)
                else:
                    with set_curdoc(doc):
                        self.push(new)
            return callback
        self.box.on_change("value", on("value"))
        self.slider.on_change("value" if name in LIVE else "value_throttled", on("slider"))
        dash.p.param.watch(lambda event: self.show(event.new), name)

    def push(self, value):
        """A value from the page: apply it, or show the value in force again (with a message) if refused."""
        if value is None:
            self.show(getattr(self.dash.p, self.name))
            return
        if _same(getattr(self.dash.p, self.name), value):
            return
        with pn.io.hold():  # every plot, widget and URL change of this step in one message to the page
            self.dash.set_value(self.name, value)
            self.show(getattr(self.dash.p, self.name))

    def show(self, value):
        """Show ``value`` in the box and on the slider.  Only a real change goes back to the page: echoing the
        state's rounding of a slider step would reset a slider that is still moving and swallow key presses."""
        for model in (self.box, self.slider):
            if model.value is None or not _same(model.value, value):
                model.value = value


def number_widget(dash, name):
    """A :class:`NumberBox` for ``dash.p.<name>`` (its Bokeh model)."""
    return NumberBox(dash, name).model


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
    choose = pn.widgets.MultiChoice(label="Maps", options={symbol(k): k for k in QUANTITIES},
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
        out, numbers = [], None  # consecutive number boxes share one pane
        for n in names:
            if n in VECTORS:
                out.append(vector_widget(dash, n))
                numbers = None
                continue
            if numbers is None:
                numbers = BkColumn(children=[], sizing_mode="stretch_width")
                out.append(pn.pane.Bokeh(numbers, sizing_mode="stretch_width"))
            numbers.children.append(number_widget(dash, n))
        if title == "Device":
            out.append(checkbox(dash, "symmetric", "symmetric leads (tR = tL)"))
        return out

    if title in OPEN:
        return pn.Card(*items(), title=title, sizing_mode="stretch_width")
    card = pn.Card(title=title, collapsed=True, sizing_mode="stretch_width", css_classes=[f"card-{title.split()[0]}"])

    def fill(event):
        if not event.new and not card.objects:
            card.objects = items()
    card.param.watch(fill, "collapsed")
    return card


def file_input(accept, css_class, on_load):
    """A file chooser that calls ``on_load(content: bytes, filename)`` for each file chosen, then empties itself
    (in the browser too): choosing the same file again, after a preset or an example was shown, loads it again
    (an unchanged value would not reach the watcher)."""
    upload = pn.widgets.FileInput(accept=accept, multiple=False, css_classes=[css_class])

    def chosen(event):
        if not event.new:
            return
        content, filename = event.new, upload.filename
        upload.value = None  # emptied before the load, which may start work in a worker thread
        upload.clear()
        on_load(content, filename)

    upload.param.watch(chosen, "value")
    return upload

