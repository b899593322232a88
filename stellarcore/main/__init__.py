"""The program: command line, configuration, and (later) the application."""
