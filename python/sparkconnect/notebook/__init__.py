"""The notebook layer: everything that knows IPython. `%load_ext`, the `%spark` magics and their
arguments, the lazy `spark`, progress bars, cancel on interrupt, DataFrame tables."""
