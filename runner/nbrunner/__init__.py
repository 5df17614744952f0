"""nbrunner: runs one Jupyter notebook inside the runner container.

Contract: see runner/README.md. Entry point: ``python3 -m nbrunner``.
"""

__version__ = "1.0.0"
