"""Download buttons: the current maps (NetCDF, CSV, PNG), Omega curves and cuts (CSV, PNG)."""
import io

import panel as pn

from dimer_core.export import csv_text, file_stem, netcdf_bytes
from dimer_core.figures import draw_maps, draw_sweep, png_bytes


def _button(label, filename, make, css):
    def callback():
        return io.BytesIO(make())

    return pn.widgets.FileDownload(callback=callback, filename=filename, label=label, button_type="primary",
                                   embed=False, css_classes=[css], width=260)


def export_panel(dash):
    """A column of download buttons whose file names follow the current parameters."""
    def buttons(revision, quantities, langevin_result):
        p = dash.p
        stem_maps = file_stem(p, "maps", exclude=("mu_F", "V"))
        stem_omega = file_stem(p, "omega", exclude=("V",))
        items = [
            _button("maps (NetCDF)", f"{stem_maps}.nc", lambda: netcdf_bytes(dash.dataset()), "export-maps-nc"),
            _button("maps (CSV)", f"{stem_maps}.csv", lambda: csv_text(dash.dataset()).encode(), "export-maps-csv"),
            _button("maps (PNG)", f"{stem_maps}.png",
                    lambda: png_bytes(draw_maps(dash.dataset(), p, list(quantities), "maps")), "export-maps-png"),
            _button("Omega and interactions, FP (CSV)", f"{stem_omega}_fp.csv",
                    lambda: csv_text(dash.sweep()).encode(), "export-omega-csv"),
            _button("Omega (PNG)", f"{stem_omega}.png",
                    lambda: png_bytes(draw_sweep(dash.sweep(), p, "Omega", langevin=langevin_result)),
                    "export-omega-png"),
            _button("cut against V at mu_F (CSV)", f"{file_stem(p, 'cutV', exclude=('V',))}.csv",
                    lambda: csv_text(dash.cut_V()).encode(), "export-cutV-csv"),
            _button("cut against mu_F at V (CSV)", f"{file_stem(p, 'cutmu', exclude=('mu_F',))}.csv",
                    lambda: csv_text(dash.cut_mu()).encode(), "export-cutmu-csv"),
        ]
        if langevin_result is not None:
            items.append(_button("Omega, Langevin (CSV)", f"{stem_omega}_langevin.csv",
                                 lambda: csv_text(langevin_result).encode(), "export-langevin-csv"))
        return pn.Column(pn.pane.Markdown("Files are named after t, t0, tL, tR, T and the bias. Every plot's "
                                          "toolbar also has a save button (PNG of that plot)."), *items)

    return pn.bind(buttons, dash.param.revision, dash.param.quantities, dash.langevin.param.result)
