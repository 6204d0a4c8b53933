# The dashboard on port 5006:  docker build -t dimer . && docker run -p 5006:5006 dimer
# Install steps are .ci/setup, the same script CI runs, so the two stay in step: it installs the pinned
# requirements and this package (extras app, studies, test, docs) into .venv (console scripts dimer-core,
# dimer-dashboard) and compiles the numba kernels into the cache every entry point uses
# (~/.cache/dimer_core/numba/<digest of the sources>).
FROM python:3.11-slim-bookworm
WORKDIR /app
COPY . .
RUN bash .ci/setup
EXPOSE 5006
# Inside a container the server must listen on all interfaces to be reached through -p;
# outside Docker, dimer-dashboard binds to localhost only.
CMD [".venv/bin/dimer-dashboard", "--address", "0.0.0.0", "--port", "5006"]
