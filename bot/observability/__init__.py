"""What operators see: Prometheus metrics (``metrics``) and their set-up across
gunicorn's worker processes (``multiproc``)."""
