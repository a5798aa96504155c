"""The feedback engine: question kinds, how answers are compared and shown, time limits."""
