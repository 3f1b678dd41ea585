"""Background work inside `fundmatch serve`.

- `queue`: jobs in the database: enqueue (in the caller's transaction), claim with a lease, finish,
  retry with backoff. A job whose worker died is claimed again once its lease runs out.
- `lease`: named locks in the database with an expiry (one refresh at a time across servers).
- `worker`: the one loop per process: enqueue what the schedule says is due, claim, run, finish.
- `schedule`: periodic kinds, one job key per time slot so that several servers queue it once.
- `kinds`: each kind of job is a plain function `run(context, payload)` a test can call directly.
"""
