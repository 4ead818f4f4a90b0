"""The BPMN runtime around SpiffWorkflow: definitions, instances, tasks, timers, audit.

The public API is ``engine.runtime`` (actions), ``engine.worklist`` (queries), ``engine.deploy``
(definitions), ``engine.decisions`` (deployed DMN decisions evaluated directly), ``engine.operators``
(service task operators) and ``engine.audit`` (the chain).
The engine knows processes and tasks, never households: it imports nothing from the portal.
"""
