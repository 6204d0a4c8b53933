"""The dashboard's parts (layout, widgets, plotting glue only; all physics is in dimer_core).

state    Dashboard: one browser session's parameters, cached results, messages
widgets  widgets generated from DimerParams
views    HoloViews plots bound to the state
runs     Langevin runs in a worker thread with progress and stop
exports  download buttons (NetCDF, CSV, PNG)
about    the model, conventions and parameter table
study_browser  a finished parameter study, with sliders over its own axes
"""
