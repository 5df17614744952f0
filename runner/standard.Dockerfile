# The standard runtime: the minimal runner image plus Debian bookworm's data stack.
#   docker build -t nbautomation/runner:latest runner/
#   docker build -f runner/standard.Dockerfile -t nbautomation/runner-standard:latest runner/
# Registry-free equivalent (same packages and ENV): scripts/docker/build-runner-offline.sh --runtime standard
ARG BASE_IMAGE=nbautomation/runner:latest
FROM ${BASE_IMAGE}

USER root
RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        python3-numpy python3-pandas python3-matplotlib python3-scipy python3-requests \
        python3-openpyxl python3-lxml python3-shapely python3-pyproj python3-geopandas; \
    apt-get autoremove -y --purge; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* /usr/share/man/* /usr/share/info/* /usr/share/locale/*
USER runner
# matplotlib's font cache, built once here rather than in every run.
RUN MPLBACKEND=agg python3 -c "import matplotlib.pyplot"

LABEL org.opencontainers.image.title=nbautomation-runner-standard
# Figures come out as PNG outputs: matplotlib's inline backend, no display needed.
ENV MPLBACKEND=module://matplotlib_inline.backend_inline
# An idle warm runner imports these meanwhile (nbrunner/preload.py).
ENV NBRUNNER_PRELOAD=numpy,pandas,matplotlib.pyplot
