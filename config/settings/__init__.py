"""Settings: `production` for every process that serves (and `make demo`), `test` for the suite."""
