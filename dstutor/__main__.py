"""`python -m dstutor`."""

from dstutor.cli import main

if __name__ == "__main__":
    main()
