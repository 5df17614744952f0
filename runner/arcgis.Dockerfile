# Recipe for an "ArcGIS" runtime: the standard runtime plus the ArcGIS API for Python from PyPI.
# Needs a machine that reaches PyPI (this project's own CI does not, so it is not built by setup.sh):
#   docker build -f runner/arcgis.Dockerfile -t nbautomation/runner-arcgis:latest runner/
# then register it (as an administrator):
#   POST /arcgis/admin/notebooks/runtimes/register  name=ArcGIS  version=2.4  imageId=nbautomation/runner-arcgis:latest
ARG BASE_IMAGE=nbautomation/runner-standard:latest
FROM ${BASE_IMAGE}

USER root
RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update; \
    apt-get install -y --no-install-recommends python3-pip python3-dev build-essential libkrb5-dev; \
    pip install --no-cache-dir --break-system-packages arcgis; \
    apt-get purge -y --auto-remove build-essential python3-dev; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*
USER runner
LABEL org.opencontainers.image.title=nbautomation-runner-arcgis
