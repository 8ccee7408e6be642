"""The dstutor shell: one line handler shared by the REPL and script mode."""
