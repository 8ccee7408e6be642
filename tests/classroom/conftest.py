"""Every classroom test runs with a private DSTUTOR_HOME: lesson runs keep a workspace and
an edit journal there, and grading must be shown never to touch the real one. The root
conftest gives every test its own, not yet existing one (tests/conftest.py,
_test_process_settings), as this file's fixture did with tmp_path/dstutor-home."""
