"""The executive order's registers: ICE detainer requests, stops of unlicensed operators, and
language services (the record the Mayor may ask for, item 4 of the order).

* :mod:`.schema`: what an entry is (pydantic, with the intake's text hygiene), from JSON or
  from a CSV export with the same columns;
* :mod:`.policy`: the order's policies, checked on every entry;
* :mod:`.door`: :func:`~casework.registers.door.record`, the one door through which an entry
  is stored (policy checked, then appended to its register's hash chain, all or none);
* :mod:`.chain`: the chain itself, made and verified by the case history's functions
  (:mod:`casework.history`) and sealed in the ledger (``casework verify-history``);
* :mod:`.load`: reading a JSON file or a CSV export, every problem by line and column.

No entry names the person concerned; an unknown field (``subject_name``) is refused.
"""
