"""The face of dstutor: every Typer app and the one Rich console live in this package.

`app.py` is the root command (`dstutor`, `dstutor shell`); `lessons.py` mounts `dstutor
lesson`, `classroom.py` `dstutor lint|grade|results`, `serve.py` `dstutor serve`. Nothing
below this package imports it. Only `main` is imported here, so `dstutor --version` stays
as cheap as importing the standard library.
"""

from dstutor.cli.app import main

__all__ = ["main"]
