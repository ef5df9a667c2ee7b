"""Use cases: each a function or a small class over only the ports it needs. The handlers, the CLI and the local
stack call these (through `rsvp.app.App`, the composition), and nothing else."""
