"""Download buttons: the current maps (NetCDF, CSV, PNG), Omega curves and cuts (CSV, PNG)."""
import io

import panel as pn

from dimer_core.export import csv_text, file_stem, netcdf_bytes
from dimer_core.studies.figures import draw_maps, draw_sweep, png_bytes


def _button(label, name, make, css):
    """A download button; ``name()`` gives the file name from the current parameters when it is clicked."""
    button = pn.widgets.FileDownload(filename=name(), label=label, color="primary", embed=False,
                                     css_classes=[css], width=260)

    def callback():
        button.filename = name()
        return io.BytesIO(make())

    button.callback = callback
    return button


def export_panel(dash):
    """A column of download buttons whose file names follow the current parameters.

    The buttons are made once; each names its file when clicked, so moving a slider
    costs nothing here.  Returns a function of nothing (bound to the Langevin result).
    """
    p = dash.p

    def stem(kind, exclude):
        return lambda: file_stem(p, kind, exclude=exclude)

    maps, omega = stem("maps", ("mu_F", "V")), stem("omega", ("V",))
    cut_v, cut_mu = stem("cutV", ("V",)), stem("cutmu", ("mu_F",))
    fixed = [
        _button("maps (NetCDF)", lambda: f"{maps()}.nc", lambda: netcdf_bytes(dash.dataset()), "export-maps-nc"),
        _button("maps (CSV)", lambda: f"{maps()}.csv", lambda: csv_text(dash.dataset()).encode(), "export-maps-csv"),
        _button("maps (PNG)", lambda: f"{maps()}.png",
                lambda: png_bytes(draw_maps(dash.dataset(), p, list(dash.quantities), "maps")), "export-maps-png"),
        _button("Omega and interactions, FP (CSV)", lambda: f"{omega()}_fp.csv",
                lambda: csv_text(dash.sweep()).encode(), "export-omega-csv"),
        _button("Omega (PNG)", lambda: f"{omega()}.png",
                lambda: png_bytes(draw_sweep(dash.sweep(), p, "Omega", langevin=dash.langevin.result)),
                "export-omega-png"),
        _button("cut against V at mu_F (CSV)", lambda: f"{cut_v()}.csv", lambda: csv_text(dash.cut_V()).encode(),
                "export-cutV-csv"),
        _button("cut against mu_F at V (CSV)", lambda: f"{cut_mu()}.csv", lambda: csv_text(dash.cut_mu()).encode(),
                "export-cutmu-csv"),
    ]

    note = pn.pane.Markdown("Files are named after t, t0, tL, tR, T and the bias. Every plot's toolbar also has "
                            "a save button (PNG of that plot).")

    def buttons(result):
        if result is None:
            return pn.Column(note, *fixed)
        return pn.Column(note, *fixed, _button("Omega, Langevin (CSV)", lambda: f"{omega()}_langevin.csv",
                                               lambda: csv_text(result).encode(), "export-langevin-csv"))

    return pn.bind(buttons, dash.langevin.param.result)
