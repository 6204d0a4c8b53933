# The dashboard on port 5006:  docker build -t dimer . && docker run -p 5006:5006 dimer
# Install steps are .ci/setup, the same script CI runs, so the two stay in step.
FROM python:3.11-slim-bookworm
WORKDIR /app
COPY . .
RUN bash .ci/setup
ENV NUMBA_CACHE_DIR=/app/.numba_cache
RUN .venv/bin/python -m dimer_core.warmup
EXPOSE 5006
# Inside a container the server must listen on all interfaces to be reached through -p;
# outside Docker, `python app.py` binds to localhost only.
CMD [".venv/bin/python", "app.py", "--address", "0.0.0.0", "--port", "5006"]
