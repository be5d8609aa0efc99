"""The exit codes of the ``cleaner`` command: 0 ok, 1 findings or failed captures, 2 usage
or input errors; a run stopped by a signal exits as a shell reports it."""
import signal

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 128 + signal.SIGINT   # 130, as a shell reports Ctrl-C
EXIT_TERMINATED = 128 + signal.SIGTERM   # 143
